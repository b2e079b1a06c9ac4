package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * The text frame being handled on this thread, copied with one bulk read into an array that the thread reuses.
 * Frames arrive in direct buffers, where reading them byte by byte ({@code ByteBuf.getByte}, bounds-checked each
 * time) took a tenth of the generator's CPU; scanning an array costs little, and the copy of a short frame less.
 */
final class InboundText {

  private static final FastThreadLocal<InboundText> PER_THREAD = new FastThreadLocal<>() {
    @Override
    protected InboundText initialValue() {
      return new InboundText();
    }
  };

  private byte[] bytes = new byte[512];
  private int length;
  private final RoomMessage roomMessage = new RoomMessage();

  private InboundText() {}

  /** This thread's instance, now holding {@code length} bytes of {@code buf} from {@code index}. */
  static InboundText copy(ByteBuf buf, int index, int length) {
    InboundText text = PER_THREAD.get();
    if (text.bytes.length < length) {
      text.bytes = new byte[Math.max(length, text.bytes.length * 2)];
    }
    buf.getBytes(index, text.bytes, 0, length);
    text.length = length;
    return text;
  }

  boolean startsWith(byte[] prefix) {
    return Wire.startsWith(bytes, length, prefix);
  }

  /** The frame read as a room message (it starts with {@link Wire#ROOM_MESSAGE}), into this thread's holder. */
  RoomMessage roomMessage() {
    Wire.roomMessage(bytes, length, roomMessage);
    return roomMessage;
  }

  @Override
  public String toString() {
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }
}
