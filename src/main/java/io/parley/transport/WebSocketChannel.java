package io.parley.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.CloseCode;
import io.parley.protocol.SharedFrame;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A plain WebSocket ({@code /ws}) as the session writes to it: frames straight onto its Netty channel. Every call
 * comes from the channel's own event loop (the gateway's), so there is no queue of our own: Netty's outbound
 * buffer, bounded by the channel's high-water mark, is the only one.
 */
final class WebSocketChannel implements Transport {

  private static final ByteBuf PING = Unpooled.unreleasableBuffer(
      Unpooled.wrappedBuffer("parley".getBytes(StandardCharsets.US_ASCII)));
  /** How long a closing connection waits for the client's close frame before dropping the TCP connection. */
  static final long CLOSE_TIMEOUT_MS = 2_000;

  /** A batch of shared frames is flushed early past this many bytes, so that only unsent data counts as queued. */
  private static final int MAX_UNFLUSHED_BYTES = 16 * 1024;

  private final ChannelHandlerContext context;
  private final int flushThreshold;
  private int unflushedBytes;
  private boolean closing;

  WebSocketChannel(ChannelHandlerContext context, int maxQueuedBytes) {
    this.context = context;
    this.flushThreshold = Math.max(1, Math.min(MAX_UNFLUSHED_BYTES, maxQueuedBytes / 4));
    // past the high-water mark the channel reports not writable: the session closes the slow consumer (4008)
    context.channel().config().setWriteBufferWaterMark(
        new WriteBufferWaterMark(Math.max(1, maxQueuedBytes / 2), maxQueuedBytes));
  }

  @Override
  public String kind() {
    return ParleyMetrics.WEBSOCKET;
  }

  @Override
  public void write(String frame) {
    if (open()) {
      context.writeAndFlush(new TextWebSocketFrame(frame), context.voidPromise());
    }
  }

  /** The frame is already framed (header and payload, built once): the frame encoder lets a plain buffer through. */
  @Override
  public void write(SharedFrame frame) {
    if (open()) {
      ByteBuf framed = frame.webSocketFrame();
      context.write(framed.retainedDuplicate(), context.voidPromise());
      unflushedBytes += framed.readableBytes();
      if (unflushedBytes >= flushThreshold) {
        flush();
      }
    }
  }

  @Override
  public void flush() {
    if (unflushedBytes > 0 && context.channel().isActive()) {
      unflushedBytes = 0;
      context.flush();
    }
  }

  @Override
  public boolean writeQueueFull() {
    return open() && !context.channel().isWritable();
  }

  /**
   * Sends the close frame and waits, reading and discarding, for the client's: closing the socket at once could
   * turn unread client data into a reset that destroys the close frame before the client reads it.
   */
  @Override
  public void close(CloseCode code, String reason) {
    if (!open()) {
      return;
    }
    closing = true;
    context.writeAndFlush(new CloseWebSocketFrame(code.code(), reason));
    context.executor().schedule(() -> context.close(), CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  /** The client answered our close frame: the close handshake is complete. */
  void closeHandshakeDone() {
    context.close();
  }

  /** The client started the close: echo its code, as RFC 6455 asks, then close. */
  void answerClose(CloseWebSocketFrame clientClose) {
    closing = true;
    int code = clientClose.statusCode();
    CloseWebSocketFrame answer = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, null);
    context.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  boolean isClosing() {
    return closing;
  }

  @Override
  public void ping() {
    if (open()) {
      context.writeAndFlush(new PingWebSocketFrame(PING.duplicate()), context.voidPromise());
    }
  }

  @Override
  public boolean expectsPong() {
    return true;
  }

  @Override
  public String remoteHost() {
    SocketAddress address = context.channel().remoteAddress();
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : "unknown";
  }

  private boolean open() {
    return !closing && context.channel().isActive();
  }
}
