package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A message sent in fragments (RFC 6455 section 5.4), collected until its final frame. Rare: the node writes each
 * message as one frame. Text payloads are copied into one buffer, since the frames they came from are released
 * with their reads; binary ones are only counted, since the bench ignores binary. Both are bounded by
 * {@code maxSize}, as a single frame is.
 */
final class FragmentedMessage {

  private final int maxSize;
  /** {@link FrameHeader#TEXT} or {@link FrameHeader#BINARY} while a message is open, else -1. */
  private int opcode = -1;
  private int size;
  private ByteBuf text;

  FragmentedMessage(int maxSize) {
    this.maxSize = maxSize;
  }

  boolean isOpen() {
    return opcode >= 0;
  }

  /** Opens a message with its first (non-final) frame's payload, which is at most {@code maxSize}. */
  void start(ByteBufAllocator alloc, int opcode, ByteBuf buf, int index, int length) {
    this.opcode = opcode;
    this.size = 0;
    if (opcode == FrameHeader.TEXT) {
      text = alloc.buffer(Math.max(length, 256));
    }
    append(buf, index, length);
  }

  /** Adds a continuation frame's payload; false if no message is open or the message would exceed the bound. */
  boolean append(ByteBuf buf, int index, int length) {
    if (!isOpen() || length > maxSize - size) {
      return false;
    }
    size += length;
    if (text != null) {
      text.writeBytes(buf, index, length);
    }
    return true;
  }

  /** Closes the message: its text, which the caller must release, or null for a binary message. */
  ByteBuf finish() {
    ByteBuf done = text;
    text = null;
    opcode = -1;
    return done;
  }

  /** Drops an unfinished message (the channel is going away). */
  void release() {
    ByteBuf unfinished = finish();
    if (unfinished != null) {
      unfinished.release();
    }
  }
}
