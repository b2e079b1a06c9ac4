package io.parley.transport;

import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.CloseCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/** A plain WebSocket ({@code /ws}). */
final class WebSocketTransport implements Transport {

  private static final Buffer PING = Buffer.buffer("parley");

  private final ServerWebSocket socket;

  WebSocketTransport(ServerWebSocket socket, int maxQueuedBytes) {
    this.socket = socket;
    socket.setWriteQueueMaxSize(maxQueuedBytes);
  }

  @Override
  public String kind() {
    return ParleyMetrics.WEBSOCKET;
  }

  @Override
  public void write(String frame) {
    socket.writeTextMessage(frame);
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public void close(CloseCode code, String reason) {
    socket.close((short) code.code(), reason);
  }

  @Override
  public void ping() {
    socket.writePing(PING);
  }

  @Override
  public boolean expectsPong() {
    return true;
  }

  @Override
  public String remoteAddress() {
    return String.valueOf(socket.remoteAddress());
  }
}
