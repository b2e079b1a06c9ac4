package io.parley.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * One push frame handed to many receivers: its text, and its UTF-8 bytes encoded once, on first use, for every
 * WebSocket receiver (rather than once per receiver). Confined to one event loop, like the receivers it serves.
 */
public final class SharedFrame {

  private final String text;
  private byte[] utf8;
  private ByteBuf framed;

  public SharedFrame(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  public byte[] utf8() {
    if (utf8 == null) {
      utf8 = text.getBytes(StandardCharsets.UTF_8);
    }
    return utf8;
  }

  /**
   * The complete server-to-client WebSocket frame (RFC 6455: FIN + text opcode, unmasked length, payload), built
   * once. A heap buffer: views of it are written to each member, and the garbage collector frees it.
   */
  public ByteBuf webSocketFrame() {
    if (framed == null) {
      byte[] payload = utf8();
      int length = payload.length;
      int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
      ByteBuf frame = Unpooled.buffer(header + length, header + length);
      frame.writeByte(0x81);
      if (length < 126) {
        frame.writeByte(length);
      } else if (length <= 0xFFFF) {
        frame.writeByte(126).writeShort(length);
      } else {
        frame.writeByte(127).writeLong(length);
      }
      framed = frame.writeBytes(payload);
    }
    return framed;
  }
}
