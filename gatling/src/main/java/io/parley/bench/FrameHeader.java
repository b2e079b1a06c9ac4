package io.parley.bench;

import io.netty.buffer.ByteBuf;

/**
 * Reads the header of a server-to-client WebSocket frame (RFC 6455 section 5.2) where it lies in a buffer, so that
 * {@link ServerFrameReader} can cut frames out of a read without decoding them into objects.
 */
final class FrameHeader {

  static final int CONTINUATION = 0;
  static final int TEXT = 1;
  static final int BINARY = 2;
  static final int CLOSE = 8;
  static final int PING = 9;
  static final int PONG = 10;
  /** What {@link #size} returns for a frame the client must refuse. */
  static final int VIOLATION = -1;

  private static final int FIN = 0x80;
  private static final int RESERVED = 0x70;
  private static final int MASKED = 0x80;
  private static final int MAX_CONTROL_PAYLOAD = 125;

  private FrameHeader() {}

  /**
   * The bytes the frame starting at absolute index {@code at} takes, as far as its first {@code available} bytes
   * tell: 2 until the first two are there, then the header's length until the whole header is, then header plus
   * payload. The frame is complete once {@code available} reaches the result. {@link #VIOLATION} for reserved
   * bits, a mask (servers never mask), an unknown opcode, a fragmented or over-long control frame, or a payload
   * over {@code maxPayload}.
   */
  static int size(ByteBuf buf, int at, int available, int maxPayload) {
    if (available < 2) {
      return 2;
    }
    int b0 = buf.getUnsignedByte(at);
    int b1 = buf.getUnsignedByte(at + 1);
    if (!valid(b0, b1)) {
      return VIOLATION;
    }
    int header = headerLength(b1);
    if (available < header) {
      return header;
    }
    int length7 = b1 & 0x7F;
    long payload = length7 < 126 ? length7 : length7 == 126 ? buf.getUnsignedShort(at + 2) : buf.getLong(at + 2);
    // A 64-bit length with its top bit set reads as negative: RFC 6455 forbids it.
    return payload < 0 || payload > maxPayload ? VIOLATION : header + (int) payload;
  }

  /** The header's length given its second byte: 2, plus 2 or 8 for an extended length (never a mask here). */
  static int headerLength(int b1) {
    int length7 = b1 & 0x7F;
    return length7 < 126 ? 2 : length7 == 126 ? 4 : 10;
  }

  static int opcode(int b0) {
    return b0 & 0x0F;
  }

  static boolean fin(int b0) {
    return (b0 & FIN) != 0;
  }

  private static boolean valid(int b0, int b1) {
    if ((b0 & RESERVED) != 0 || (b1 & MASKED) != 0) {
      return false;
    }
    int opcode = opcode(b0);
    if (opcode >= CLOSE) {
      return opcode <= PONG && fin(b0) && (b1 & 0x7F) <= MAX_CONTROL_PAYLOAD;
    }
    return opcode <= BINARY;
  }
}
