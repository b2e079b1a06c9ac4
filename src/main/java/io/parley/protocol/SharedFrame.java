package io.parley.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * One push frame handed to many receivers: its text, and its WebSocket frame encoded once, on first use, for
 * every WebSocket receiver (rather than once per receiver). Confined to one event loop, like the receivers it serves;
 * whoever creates it releases it once every receiver has been handed it.
 */
public final class SharedFrame {

  private final String text;
  private ByteBuf framed;
  private boolean released;

  public SharedFrame(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  /**
   * The complete server-to-client WebSocket frame (RFC 6455: FIN + text opcode, unmasked length, payload), built
   * once, valid until {@link #release()}. A direct buffer: the socket writes it as it is, where a heap buffer would
   * be copied into a direct one (and two NIO views allocated) for every receiver.
   */
  public ByteBuf webSocketFrame() {
    if (released) {
      throw new IllegalStateException("shared frame already released");
    }
    if (framed == null) {
      int length = ByteBufUtil.utf8Bytes(text);
      int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
      ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(header + length, header + length);
      frame.writeByte(0x81);
      if (length < 126) {
        frame.writeByte(length);
      } else if (length <= 0xFFFF) {
        frame.writeByte(126).writeShort(length);
      } else {
        frame.writeByte(127).writeLong(length);
      }
      ByteBufUtil.reserveAndWriteUtf8(frame, text, length);
      framed = frame;
    }
    return framed;
  }

  /** Gives back the framed buffer (receivers hold their own references to what they still have to send). */
  public void release() {
    released = true;
    if (framed != null) {
      framed.release();
      framed = null;
    }
  }
}
