package io.parley.transport;

import io.parley.session.Session;
import io.parley.session.SessionRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /ws}: upgrades to a WebSocket and wires its frames to a new session. */
final class WebSocketEndpoint implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

  private final SessionRegistry sessions;
  private final int maxFrameBytes;
  private final int maxQueuedBytes;

  WebSocketEndpoint(SessionRegistry sessions, int maxFrameBytes, int maxQueuedBytes) {
    this.sessions = sessions;
    this.maxFrameBytes = maxFrameBytes;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // read before the upgrade; the token is never logged
    String token = ctx.request().getParam("token");
    ctx.request().toWebSocket()
        .onSuccess(socket -> open(socket, token))
        .onFailure(e -> log.debug("event=ws_upgrade_failed error={}", e.toString()));
  }

  private void open(ServerWebSocket socket, String token) {
    Session session = sessions.open(new WebSocketTransport(socket, maxQueuedBytes), token);
    if (session == null) {
      return;
    }
    InboundFrames inbound = new InboundFrames(session, maxFrameBytes);
    socket.frameHandler(inbound::onFrame);
    socket.pongHandler(pong -> session.touch());
    socket.exceptionHandler(e -> log.debug("event=ws_error session={} error={}", session.id(), e.toString()));
    socket.closeHandler(v -> session.onTransportClosed());
  }
}
