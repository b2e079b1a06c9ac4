package io.parley.transport;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs before {@code /ws} and {@code /sockjs}: refuses new connections while the node is not ready (503) and
 * from disallowed origins (403).
 */
final class ConnectionGuard implements Handler<RoutingContext> {

  /** Why a connection is refused: the HTTP status and a short text. */
  record Refusal(int status, String message) {}

  private static final Refusal NOT_READY = new Refusal(503, "node not ready");
  private static final Refusal ORIGIN = new Refusal(403, "origin not allowed");

  private final OriginPolicy origins;
  private final NodeState state;

  ConnectionGuard(OriginPolicy origins, NodeState state) {
    this.origins = origins;
    this.state = state;
  }

  /** @return null when a connection with these headers may proceed */
  Refusal refusal(String origin, String host) {
    if (!state.acceptsConnections()) {
      return NOT_READY;
    }
    return origins.allows(origin, host) ? null : ORIGIN;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Refusal refusal = refusal(ctx.request().getHeader(HttpHeaders.ORIGIN), ctx.request().getHeader(HttpHeaders.HOST));
    if (refusal == null) {
      ctx.next();
    } else {
      ctx.response().setStatusCode(refusal.status()).end(refusal.message());
    }
  }
}
