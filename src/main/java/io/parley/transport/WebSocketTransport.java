package io.parley.transport;

import io.parley.metrics.ParleyMetrics;
import io.netty.buffer.Unpooled;
import io.parley.protocol.CloseCode;
import io.parley.protocol.SharedFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/** A plain WebSocket ({@code /ws}). */
final class WebSocketTransport implements Transport {

  private static final Buffer PING = Buffer.buffer("parley");

  private final ServerWebSocket socket;
  /** The channel for shared frames, or null to write them through Vert.x. */
  private final RawChannel raw;

  WebSocketTransport(ServerWebSocket socket, int maxQueuedBytes) {
    this.socket = socket;
    this.raw = RawChannel.of(socket);
    socket.setWriteQueueMaxSize(maxQueuedBytes);
    if (raw != null) {
      raw.limitQueue(maxQueuedBytes);
    }
  }

  @Override
  public String kind() {
    return ParleyMetrics.WEBSOCKET;
  }

  @Override
  public void write(String frame) {
    if (!socket.isClosed()) {
      socket.writeTextMessage(frame);
    }
  }

  @Override
  public void write(SharedFrame frame) {
    if (socket.isClosed()) {
      return;
    }
    if (raw != null) {
      raw.writeFramed(frame.webSocketFrame());
    } else {
      // the same UTF-8 bytes for every receiver: Vert.x's own text path would encode the string again for each
      socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(frame.utf8()), true));
    }
  }

  @Override
  public boolean writeQueueFull() {
    // the client may have closed before our close handler ran
    return !socket.isClosed() && (socket.writeQueueFull() || raw != null && raw.isFull());
  }

  @Override
  public void close(CloseCode code, String reason) {
    socket.close((short) code.code(), reason);
  }

  @Override
  public void ping() {
    if (!socket.isClosed()) {
      socket.writePing(PING);
    }
  }

  @Override
  public boolean expectsPong() {
    return true;
  }

  @Override
  public String remoteHost() {
    return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().host();
  }
}
