package io.parley.transport;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs before {@code /ws} and {@code /sockjs}: refuses new connections while the node is not ready (503) and
 * from disallowed origins (403).
 */
final class ConnectionGuard implements Handler<RoutingContext> {

  private final OriginPolicy origins;
  private final NodeState state;

  ConnectionGuard(OriginPolicy origins, NodeState state) {
    this.origins = origins;
    this.state = state;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!state.acceptsConnections()) {
      ctx.response().setStatusCode(503).end("node not ready");
    } else if (!origins.allows(ctx.request())) {
      ctx.response().setStatusCode(403).end("origin not allowed");
    } else {
      ctx.next();
    }
  }
}
