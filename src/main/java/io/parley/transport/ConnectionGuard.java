package io.parley.transport;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs before {@code /ws} and {@code /sockjs}: refuses new connections while the node is not ready (503) and
 * from disallowed origins (403). A refused connection is closed once the answer is out (with
 * {@code Connection: close}): a client refused once has no use for the connection.
 */
final class ConnectionGuard implements Handler<RoutingContext> {

  /** Why a connection is refused: the HTTP status, a short text, and the metric's reason. */
  record Refusal(int status, String message, ConnectionMetrics.Refusal reason) {}

  private static final Refusal NOT_READY = new Refusal(503, "node not ready", ConnectionMetrics.Refusal.NOT_READY);
  private static final Refusal ORIGIN = new Refusal(403, "origin not allowed", ConnectionMetrics.Refusal.ORIGIN);

  private final OriginPolicy origins;
  private final NodeState state;
  private final ConnectionMetrics metrics;

  ConnectionGuard(OriginPolicy origins, NodeState state, ConnectionMetrics metrics) {
    this.origins = origins;
    this.state = state;
    this.metrics = metrics;
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
      metrics.refused(refusal.reason());
      endAndClose(ctx, refusal.status(), refusal.message());
    }
  }

  /** Answers with {@code Connection: close} and closes the connection once the answer is written. */
  static void endAndClose(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE).end(message)
        .onComplete(written -> ctx.request().connection().close());
  }
}
