package io.parley.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.parley.session.SessionRegistry;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.VertxConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /ws} on one gateway: what every connection's {@link WebSocketUpgrade} and {@link WebSocketInbound}
 * share. WebSockets are served by plain Netty handlers rather than Vert.x's {@code ServerWebSocket}, whose two
 * per-connection message queues (about 9 KB) would outweigh everything else an idle connection holds.
 */
final class WebSocketEndpoint {

  static final String PATH = "/ws";
  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

  private final ContextInternal gateway;
  private final SessionRegistry sessions;
  private final ConnectionGuard guard;
  private final ConnectionLimits limits;
  private final WebSocketDecoderConfig decoderConfig;
  private final int maxFrameBytes;
  private final int maxQueuedBytes;

  /** @param frameDecoderLimit single frames past this are refused by the decoder itself (1009) */
  WebSocketEndpoint(ContextInternal gateway, SessionRegistry sessions, ConnectionGuard guard, ConnectionLimits limits,
                    int maxFrameBytes, int frameDecoderLimit, int maxQueuedBytes) {
    this.gateway = gateway;
    this.sessions = sessions;
    this.guard = guard;
    this.limits = limits;
    this.maxFrameBytes = maxFrameBytes;
    this.maxQueuedBytes = maxQueuedBytes;
    // no extensions: compression would let a small frame inflate past the limit, and costs CPU per receiver
    this.decoderConfig = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(frameDecoderLimit)
        .allowExtensions(false)
        .closeOnProtocolViolation(true)
        .build();
  }

  /**
   * Counts a new HTTP/1 connection against the connection limits, puts its HTTP timeouts on it, and the upgrade
   * handler into its pipeline (HTTP/2 connections have no upgrades).
   */
  void install(HttpConnection connection) {
    if (!(connection instanceof VertxConnection vertxConnection)) {
      return;
    }
    ChannelPipeline pipeline = vertxConnection.channel().pipeline();
    if (pipeline.get(WebSocketUpgrade.VERTX_HANDLER) == null) {
      log.warn("event=ws_install_skipped reason=\"no Vert.x handler in the pipeline\"");
      return;
    }
    HttpConnectionWatch watch = limits.accept(vertxConnection.channel());
    pipeline.addBefore(WebSocketUpgrade.VERTX_HANDLER, HttpConnectionWatch.NAME, watch);
    pipeline.addBefore(WebSocketUpgrade.VERTX_HANDLER, WebSocketUpgrade.NAME, new WebSocketUpgrade(this, watch));
  }

  ContextInternal gateway() {
    return gateway;
  }

  SessionRegistry sessions() {
    return sessions;
  }

  ConnectionGuard guard() {
    return guard;
  }

  ConnectionLimits limits() {
    return limits;
  }

  /** A handshaker for one connection: version 13 (RFC 6455), with the frame size decided from frame headers. */
  WebSocketServerHandshaker handshaker() {
    return new FrameSizeGuard.Handshaker(PATH, decoderConfig, maxFrameBytes);
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  int maxQueuedBytes() {
    return maxQueuedBytes;
  }
}
