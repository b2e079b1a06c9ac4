package io.parley.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.CloseCode;
import io.parley.protocol.Frames;
import io.parley.protocol.SharedFrame;
import io.parley.session.Transport;

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
  /**
   * How long a closing connection waits for the client's close frame before dropping the TCP connection (Vert.x's
   * default too): a stalled slow consumer still sees its 4008 if it reads again within that time.
   */
  static final long CLOSE_TIMEOUT_MS = 10_000;

  /** A batch of shared frames is flushed early past this many bytes, so that only unsent data counts as queued. */
  private static final int MAX_UNFLUSHED_BYTES = 16 * 1024;

  /** Written from its tail: parley's handler sits ahead of the frame encoder, which writes must pass. */
  private final Channel channel;
  private final int flushThreshold;
  /** Where framed buffers enter the pipeline: below the frame encoder, which has nothing to do with them. */
  private ChannelHandlerContext belowEncoder;
  private int unflushedBytes;
  private boolean closing;

  WebSocketChannel(Channel channel, int maxQueuedBytes) {
    this.channel = channel;
    this.flushThreshold = Math.max(1, Math.min(MAX_UNFLUSHED_BYTES, maxQueuedBytes / 4));
    // past the high-water mark the channel reports not writable: the session closes the slow consumer (4008)
    channel.config().setWriteBufferWaterMark(
        new WriteBufferWaterMark(Math.max(1, maxQueuedBytes / 2), maxQueuedBytes));
  }

  @Override
  public String kind() {
    return ParleyMetrics.WEBSOCKET;
  }

  @Override
  public void write(String frame) {
    if (!isClosing()) {
      channel.writeAndFlush(new TextWebSocketFrame(frame), channel.voidPromise());
    }
  }

  /** The frame is already framed (header and payload, built once): the frame encoder lets a plain buffer through. */
  @Override
  public void write(SharedFrame frame) {
    if (!isClosing()) {
      ByteBuf framed = frame.webSocketFrame();
      framedWrites().write(framed.retainedDuplicate(), channel.voidPromise());
      unflushedBytes += framed.readableBytes();
      if (unflushedBytes >= flushThreshold) {
        flush();
      }
    }
  }

  /**
   * The frame encoder's context: a write from it starts at the next handler toward the socket. Every write runs on
   * the channel's event loop straight into Netty's outbound buffer, so entering lower keeps the order of writes.
   */
  private ChannelOutboundInvoker framedWrites() {
    if (belowEncoder == null) {
      belowEncoder = channel.pipeline().context(WebSocketFrameEncoder.class);
    }
    return belowEncoder != null ? belowEncoder : channel;
  }

  @Override
  public void flush() {
    if (unflushedBytes > 0 && channel.isActive()) {
      unflushedBytes = 0;
      channel.flush();
    }
  }

  @Override
  public long queuedBytes() {
    io.netty.channel.ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
    return outbound == null ? 0 : outbound.totalPendingWriteBytes();
  }

  @Override
  public boolean writeQueueFull() {
    return !isClosing() && !channel.isWritable();
  }

  /**
   * Sends the close frame and waits, reading and discarding, for the client's: closing the socket at once could
   * turn unread client data into a reset that destroys the close frame before the client reads it.
   */
  @Override
  public void close(CloseCode code, String reason) {
    close(code, reason, CLOSE_TIMEOUT_MS);
  }

  /**
   * As {@link #close(CloseCode, String)}, waiting at most {@code timeoutMs} for the client's close frame. The close
   * frame follows a {@code disconnect} frame with the same code (PROTOCOL.md 1.1: on every transport), so that a
   * client reads the same thing on {@code /ws} as over SockJS.
   */
  void close(CloseCode code, String reason, long timeoutMs) {
    if (isClosing()) {
      return;
    }
    closing = true;
    channel.write(new TextWebSocketFrame(Frames.disconnect(code, reason)), channel.voidPromise());
    channel.writeAndFlush(new CloseWebSocketFrame(code.code(), reason));
    channel.eventLoop().schedule(() -> channel.close(), timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** The client answered our close frame: the close handshake is complete. */
  void closeHandshakeDone() {
    channel.close();
  }

  /** The client started the close: echo its code, as RFC 6455 asks, then close. */
  void answerClose(CloseWebSocketFrame clientClose) {
    closing = true;
    int code = clientClose.statusCode();
    CloseWebSocketFrame answer = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, null);
    channel.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  /** True once a close started, from either side, or the connection is gone. */
  boolean isClosing() {
    return closing || !channel.isActive();
  }

  @Override
  public void ping() {
    if (!isClosing()) {
      channel.writeAndFlush(new PingWebSocketFrame(PING.duplicate()), channel.voidPromise());
    }
  }

  @Override
  public boolean expectsPong() {
    return true;
  }

  @Override
  public String remoteHost() {
    SocketAddress address = channel.remoteAddress();
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : "unknown";
  }
}
