package io.parley.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Netty's frame decoder for {@code /ws}, with {@code limits.maxFrameBytes} decided from each frame's header
 * (PROTOCOL.md 1.1, 4009): before a data frame's payload is read, its length (added to the message's earlier
 * fragments) is checked. Past the limit nothing more is decoded: the connection's handler is told
 * ({@link #TOO_LARGE}) and sends close 4009, and from then on every byte the client still sends is read and
 * discarded, frame by frame, until the client's close frame (then the TCP connection is closed) or
 * {@link #DISCARD_MS}. A client in the middle of a large frame so still reads the code, rather than a reset that
 * closing at once (with its data unread) would send.
 */
final class FrameSizeGuard extends WebSocket13FrameDecoder {

  /** The user event fired once a frame over the limit was seen. */
  static final Object TOO_LARGE = new Object() {
    @Override
    public String toString() {
      return "FrameSizeGuard.TOO_LARGE";
    }
  };
  /** How long a connection past the limit is read from, at most, before its TCP connection is closed. */
  static final long DISCARD_MS = 5000;
  private static final int OPCODE_CLOSE = 0x8;
  private static final int MAX_HEADER_BYTES = 14;

  private final long maxMessageBytes;
  /** Bytes of the current frame (header and payload) Netty's decoder has not consumed yet; 0 between frames. */
  private long frameRemaining;
  /** Payload bytes so far of a fragmented data message still open. */
  private long messageBytes;
  private boolean discarding;
  /** While discarding: the header being read, and payload bytes still to skip. */
  private final byte[] header = new byte[MAX_HEADER_BYTES];
  private int headerRead;
  private long skip;

  FrameSizeGuard(WebSocketDecoderConfig config, int maxMessageBytes) {
    super(config);
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Netty's version-13 handshaker, with this decoder instead of its own. */
  static final class Handshaker extends WebSocketServerHandshaker13 {
    private final WebSocketDecoderConfig config;
    private final int maxMessageBytes;

    Handshaker(String url, WebSocketDecoderConfig config, int maxMessageBytes) {
      super(url, null, config);
      this.config = config;
      this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    protected WebSocketFrameDecoder newWebsocketDecoder() {
      return new FrameSizeGuard(config, maxMessageBytes);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (discarding) {
      discard(ctx, in);
      return;
    }
    if (frameRemaining == 0 && !checkHeader(ctx, in)) {
      return;
    }
    int before = in.readableBytes();
    super.decode(ctx, in, out);
    frameRemaining = Math.max(0, frameRemaining - (before - in.readableBytes()));
  }

  /**
   * At a frame's start: false until its whole header is in (Netty's decoder is not called meanwhile), and when
   * the frame is over the limit (then discarding starts).
   */
  private boolean checkHeader(ChannelHandlerContext ctx, ByteBuf in) {
    int start = in.readerIndex();
    int readable = in.readableBytes();
    if (readable < 2) {
      return false;
    }
    int first = in.getUnsignedByte(start);
    int second = in.getUnsignedByte(start + 1);
    int length7 = second & 0x7F;
    int headerBytes = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((second & 0x80) != 0 ? 4 : 0);
    if (readable < headerBytes) {
      return false;
    }
    long length = length7 == 126 ? in.getUnsignedShort(start + 2) : length7 == 127 ? in.getLong(start + 2) : length7;
    int opcode = first & 0x0F;
    boolean fin = (first & 0x80) != 0;
    if (opcode <= 0x2 && length >= 0) { // continuation, text, binary; a negative length is Netty's to refuse
      long message = (opcode == 0 ? messageBytes : 0) + length;
      if (message > maxMessageBytes) {
        startDiscarding(ctx, in);
        return false;
      }
      messageBytes = fin ? 0 : message;
    }
    frameRemaining = length < 0 ? Long.MAX_VALUE : headerBytes + length;
    return true;
  }

  private void startDiscarding(ChannelHandlerContext ctx, ByteBuf in) {
    discarding = true;
    ctx.executor().schedule(() -> {
      ctx.channel().close();
    }, DISCARD_MS, TimeUnit.MILLISECONDS);
    ctx.fireUserEventTriggered(TOO_LARGE);
    discard(ctx, in);
  }

  /** Skips whole frames, payloads unread, until the client's close frame. */
  private void discard(ChannelHandlerContext ctx, ByteBuf in) {
    while (in.isReadable()) {
      if (skip > 0) {
        int skipped = (int) Math.min(skip, in.readableBytes());
        in.skipBytes(skipped);
        skip -= skipped;
        continue;
      }
      header[headerRead++] = in.readByte();
      if (headerRead < 2) {
        continue;
      }
      int length7 = header[1] & 0x7F;
      int headerBytes = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
      if (headerRead < headerBytes) {
        continue;
      }
      if ((header[0] & 0x0F) == OPCODE_CLOSE) {
        in.skipBytes(in.readableBytes());
        ctx.channel().close(); // the client has our close frame: the handshake is done
        return;
      }
      long length = length7 < 126 ? length7 : 0;
      for (int i = 2; i < 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0); i++) {
        length = (length << 8) | (header[i] & 0xFF);
      }
      skip = length < 0 ? Long.MAX_VALUE : length;
      headerRead = 0;
    }
  }
}
