package io.parley.transport;

import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.CloseCode;
import io.parley.protocol.Frames;
import io.parley.protocol.SharedFrame;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/** A SockJS session ({@code /sockjs}, any SockJS transport). SockJS runs its own heartbeats. */
final class SockJsTransport implements Transport {

  private final SockJSSocket socket;
  /** Characters of writes not yet completed (SockJS says when each is written, not what it holds). */
  private long unwritten;

  SockJsTransport(SockJSSocket socket, int maxQueuedBytes) {
    this.socket = socket;
    socket.setWriteQueueMaxSize(maxQueuedBytes);
  }

  @Override
  public String kind() {
    return ParleyMetrics.SOCKJS;
  }

  @Override
  public void write(String frame) {
    int size = frame.length();
    unwritten += size;
    socket.write(frame).onComplete(written -> unwritten -= size);
  }

  @Override
  public void write(SharedFrame frame) {
    write(frame.text()); // SockJS wraps every message in its own framing: nothing to share
  }

  @Override
  public long queuedBytes() {
    return unwritten;
  }

  /** Vert.x's SockJS socket sends each write on its own schedule: nothing is held back here. */
  @Override
  public void flush() {
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public void close(CloseCode code, String reason) {
    // vertx-web 5.0.10 drops the code and always sends c[3000,"Go away!"]: say it in a frame first, and close
    // only once that frame is written (a close from another context would discard the pending write)
    socket.write(Frames.disconnect(code, reason)).onComplete(written -> socket.close(code.code(), reason));
  }

  @Override
  public void ping() {
  }

  @Override
  public boolean expectsPong() {
    return false;
  }

  @Override
  public String remoteHost() {
    return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().host();
  }
}
