package io.parley.transport;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs before {@code /ws} and {@code /sockjs}: refuses new connections while the node is not ready (503),
 * from disallowed origins (403), and SockJS message posts too large to be one legal frame (413).
 */
final class ConnectionGuard implements Handler<RoutingContext> {

  private final OriginPolicy origins;
  private final NodeState state;
  private final long maxPostBytes;

  ConnectionGuard(OriginPolicy origins, NodeState state, long maxPostBytes) {
    this.origins = origins;
    this.state = state;
    this.maxPostBytes = maxPostBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!state.acceptsConnections()) {
      ctx.response().setStatusCode(503).end("node not ready");
    } else if (!origins.allows(ctx.request())) {
      ctx.response().setStatusCode(403).end("origin not allowed");
    } else if (ctx.request().method() == HttpMethod.POST && contentLength(ctx) > maxPostBytes) {
      ctx.response().setStatusCode(413).end("message too large");
    } else {
      ctx.next();
    }
  }

  private static long contentLength(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return header == null ? 0 : Long.parseLong(header);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
