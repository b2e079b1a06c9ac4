package io.parley.transport;

import io.parley.config.ParleyConfig;
import io.parley.protocol.CloseCode;
import io.parley.session.Session;
import io.parley.session.SessionRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.Transport;

/** {@code /sockjs}: every SockJS transport but JSONP, feeding the same sessions as {@code /ws}. */
final class SockJsEndpoint {

  static final String PREFIX = "/sockjs";
  /**
   * The requests whose response carries the session's frames ({@code xhr} polling, {@code xhr_streaming},
   * {@code eventsource}, {@code htmlfile}): vertx-web closes their connection once it ends them. No capturing
   * group: vertx-web's SockJS reads the session id from the request's {@code param0}, which a group would take.
   */
  static final String RECEIVING = PREFIX + "/[^/.]+/[^/.]+/(?:xhr|xhr_streaming|eventsource)";

  private final SessionRegistry sessions;
  private final ConnectionLimits limits;
  private final int maxFrameBytes;
  private final int maxQueuedBytes;

  SockJsEndpoint(SessionRegistry sessions, ConnectionLimits limits, int maxFrameBytes, int maxQueuedBytes) {
    this.sessions = sessions;
    this.limits = limits;
    this.maxFrameBytes = maxFrameBytes;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  /**
   * vertx-web ends each polling response (and a streaming one past {@code maxBytesStreaming}) by closing the
   * connection, without saying so: a client that keeps connections alive (Node's global agent, say) put it back in
   * its pool and sent its next request ({@code xhr_send}) into a closed socket ("socket hang up", the session lost).
   * {@code Connection: close} tells it not to reuse the connection.
   */
  static void receiving(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> ctx.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE));
    ctx.next();
  }

  /**
   * @param heartbeat {@code intervalMs}: how often SockJS sends its heartbeat frame (which also ends a poll);
   *                  a polling client that does not come back within the session timeout ({@code timeoutMs} at
   *                  most) is gone
   */
  Router router(Vertx vertx, ParleyConfig.Heartbeat heartbeat) {
    SockJSHandlerOptions options = new SockJSHandlerOptions()
        .setHeartbeatInterval(heartbeat.intervalMs())
        .setSessionTimeout(Math.min(SockJSHandlerOptions.DEFAULT_SESSION_TIMEOUT, heartbeat.timeoutMs()))
        // one event-bus registration per socket would defeat one-consumer-per-room
        .setRegisterWriteHandler(false)
        // JSONP needs no CORS and leaves the Origin check nothing to check; htmlfile (old Internet Explorer)
        // is one more transport to hold to every limit, for browsers nobody runs any more
        .addDisabledTransport(Transport.JSON_P.name())
        .addDisabledTransport(Transport.HTML_FILE.name());
    return SockJSHandler.create(vertx, options).socketHandler(this::open);
  }

  private void open(SockJSSocket socket) {
    SockJsTransport transport = new SockJsTransport(socket, maxQueuedBytes);
    CloseCode refusal = limits.sessionRefusal();
    if (refusal != null) {
      transport.close(refusal, refusal.reason()); // the disconnect frame carries 1013, SockJS's close cannot
      return;
    }
    Session session = sessions.open(transport, null);
    if (session == null) {
      return;
    }
    transport.watch(session);
    socket.handler(message -> {
      if (message.length() > maxFrameBytes) {
        session.close(CloseCode.FRAME_TOO_LARGE, "frame larger than " + maxFrameBytes + " bytes");
      } else {
        session.onText(message.toString());
      }
    });
    socket.closeHandler(v -> session.onTransportClosed());
    socket.endHandler(v -> session.onTransportClosed());
    socket.exceptionHandler(e -> session.onTransportClosed());
  }
}
