package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Reads the node's WebSocket frames straight from each read's buffer and hands their payloads on as index ranges
 * of it. Netty's decoder and aggregator built a frame object and copied every payload into a buffer of its own;
 * at 250,000 frames/s that was a tenth of the generator's CPU. Only a frame that a read cuts off is copied: its
 * head is kept, and the next read gives it just the bytes it lacks. Frames the client must refuse (see
 * {@link FrameHeader#size}), continuations out of place and messages over {@code maxFrame} close the channel.
 */
final class ServerFrameReader extends ChannelInboundHandlerAdapter {

  private final int maxFrame;
  private final InboundFrames frames;
  private final FragmentedMessage fragments;
  /** The head of the frame the last read ended in, or null; it never holds more than that one frame. */
  private ByteBuf partial;
  /** A close frame came or the stream broke the protocol: later bytes are dropped. */
  private boolean done;

  ServerFrameReader(int maxFrame, InboundFrames frames) {
    this.maxFrame = maxFrame;
    this.frames = frames;
    this.fragments = new FragmentedMessage(maxFrame);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (!done && partial != null) {
        finishPartial(ctx, in);
      }
      readFrames(ctx, in);
      if (!done && in.isReadable()) {
        partial = ctx.alloc().buffer(in.readableBytes()).writeBytes(in);
      }
    } finally {
      in.release();
    }
  }

  /** Moves from {@code in} into {@link #partial} only the bytes its frame lacks, and reads that frame once whole. */
  private void finishPartial(ChannelHandlerContext ctx, ByteBuf in) {
    while (true) {
      int size = FrameHeader.size(partial, partial.readerIndex(), partial.readableBytes(), maxFrame);
      if (size == FrameHeader.VIOLATION) {
        violation(ctx);
        return;
      }
      int missing = size - partial.readableBytes();
      if (missing <= 0) {
        break;
      }
      if (!in.isReadable()) {
        return;
      }
      // Exact once the header is in, so a long frame grows the buffer once rather than by doubling.
      partial.ensureWritable(missing);
      partial.writeBytes(in, Math.min(missing, in.readableBytes()));
    }
    ByteBuf whole = partial;
    partial = null;
    try {
      readFrames(ctx, whole);
    } finally {
      whole.release();
    }
  }

  /** Reads every complete frame of {@code buf}, leaving its reader index at the first incomplete one. */
  private void readFrames(ChannelHandlerContext ctx, ByteBuf buf) {
    while (!done) {
      int at = buf.readerIndex();
      int available = buf.writerIndex() - at;
      int size = FrameHeader.size(buf, at, available, maxFrame);
      if (size == FrameHeader.VIOLATION) {
        violation(ctx);
        return;
      }
      if (size > available) {
        return;
      }
      buf.readerIndex(at + size);
      dispatch(ctx, buf, at, size);
    }
  }

  private void dispatch(ChannelHandlerContext ctx, ByteBuf buf, int at, int size) {
    int b0 = buf.getUnsignedByte(at);
    int header = FrameHeader.headerLength(buf.getUnsignedByte(at + 1));
    int index = at + header;
    int length = size - header;
    int opcode = FrameHeader.opcode(b0);
    switch (opcode) {
      case FrameHeader.TEXT, FrameHeader.BINARY -> startMessage(ctx, opcode, FrameHeader.fin(b0), buf, index, length);
      case FrameHeader.CONTINUATION -> continueMessage(ctx, FrameHeader.fin(b0), buf, index, length);
      case FrameHeader.CLOSE -> {
        done = true;
        frames.onClose(length >= 2 ? buf.getUnsignedShort(index) : -1);
      }
      case FrameHeader.PING -> frames.onPing(buf, index, length);
      default -> {} // a pong: the bench sends no pings
    }
  }

  private void startMessage(ChannelHandlerContext ctx, int opcode, boolean fin, ByteBuf buf, int index, int length) {
    if (fragments.isOpen()) {
      violation(ctx); // a new message before the fragmented one's final frame
    } else if (!fin) {
      fragments.start(ctx.alloc(), opcode, buf, index, length);
    } else if (opcode == FrameHeader.TEXT) {
      frames.onText(buf, index, length);
    }
  }

  private void continueMessage(ChannelHandlerContext ctx, boolean fin, ByteBuf buf, int index, int length) {
    if (!fragments.append(buf, index, length)) {
      violation(ctx);
      return;
    }
    if (!fin) {
      return;
    }
    ByteBuf text = fragments.finish();
    if (text != null) {
      try {
        frames.onText(text, text.readerIndex(), text.readableBytes());
      } finally {
        text.release();
      }
    }
  }

  private void violation(ChannelHandlerContext ctx) {
    done = true;
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (partial != null) {
      partial.release();
      partial = null;
    }
    fragments.release();
  }
}
