package io.parley.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the few fields the bench needs straight from a frame's bytes, without a JSON parser: the node writes its
 * keys in a fixed order (PROTOCOL.md frames as encoded by the node's {@code Frames}), and a room message is
 * {@code {"type":"message","room":"R","seq":N,"from":"U","body":"<send nanoTime>","ts":T}}.
 */
final class Wire {

  static final byte[] ROOM_MESSAGE = ascii("{\"type\":\"message\",\"room\":\"");
  static final byte[] OK = ascii("{\"type\":\"ok\"");
  static final byte[] ERROR = ascii("{\"type\":\"error\"");
  static final byte[] PRESENCE = ascii("{\"type\":\"presence\"");
  private static final byte[] SEQ = ascii("\",\"seq\":");
  private static final byte[] BODY = ascii("\"body\":\"");

  private Wire() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** For the handshake response, read once per connection; frames are read from arrays (see {@link InboundText}). */
  static boolean startsWith(ByteBuf buf, byte[] prefix) {
    int base = buf.readerIndex();
    if (buf.readableBytes() < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (buf.getByte(base + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code a}'s first {@code length} bytes start with {@code prefix}. */
  static boolean startsWith(byte[] a, int length, byte[] prefix) {
    return startsWithAt(a, 0, length, prefix);
  }

  /** Whether {@code needle} lies in {@code a} at {@code at}, within {@code end}. */
  static boolean startsWithAt(byte[] a, int at, int end, byte[] needle) {
    return end - at >= needle.length && Arrays.equals(a, at, at + needle.length, needle, 0, needle.length);
  }

  /** Index of the first {@code b} in {@code a} from {@code from} to {@code end}, or -1. */
  static int indexOf(byte[] a, int from, int end, byte b) {
    for (int i = from; i < end; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Index of the first {@code needle} (two bytes or more) in {@code a} from {@code from}, ending within
   * {@code end}, or -1. Two bytes are tested before the rest: needles here start with a quote, which JSON is full
   * of.
   */
  static int indexOf(byte[] a, int from, int end, byte[] needle) {
    byte first = needle[0];
    byte second = needle[1];
    for (int i = from, last = end - needle.length; i <= last; i++) {
      if (a[i] == first && a[i + 1] == second && startsWithAt(a, i, end, needle)) {
        return i;
      }
    }
    return -1;
  }

  /** Parses an optionally negative decimal integer at {@code at}, within {@code end}; Long.MIN_VALUE if none. */
  static long parseLong(byte[] a, int at, int end) {
    boolean negative = at < end && a[at] == '-';
    int i = negative ? at + 1 : at;
    long value = 0;
    int digits = 0;
    for (; i < end; i++) {
      byte c = a[i];
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
      digits++;
    }
    if (digits == 0) {
      return Long.MIN_VALUE;
    }
    return negative ? -value : value;
  }

  /** The trailing decimal number of the room name between {@code start} and {@code end} ("chat-x-42" → 42), or -1. */
  static int roomNumber(byte[] a, int start, int end) {
    int value = 0;
    int scale = 1;
    for (int i = end - 1; i >= start; i--) {
      byte c = a[i];
      if (c < '0' || c > '9') {
        return i == end - 1 ? -1 : value;
      }
      value += (c - '0') * scale;
      scale *= 10;
    }
    return value;
  }

  /**
   * Reads a room message, the first {@code length} bytes of {@code a}, which start with {@link #ROOM_MESSAGE},
   * into {@code into}: room number, seq (-1 if the room is not followed by one) and the body's send time
   * (Long.MIN_VALUE if the body holds no number).
   */
  static void roomMessage(byte[] a, int length, RoomMessage into) {
    int roomStart = ROOM_MESSAGE.length;
    int roomEnd = indexOf(a, roomStart, length, (byte) '"');
    if (roomEnd < 0) {
      into.set(-1, -1, Long.MIN_VALUE);
      return;
    }
    long seq = startsWithAt(a, roomEnd, length, SEQ) ? parseLong(a, roomEnd + SEQ.length, length) : -1;
    int body = indexOf(a, roomEnd, length, BODY);
    long sent = body < 0 ? Long.MIN_VALUE : parseLong(a, body + BODY.length, length);
    into.set(roomNumber(a, roomStart, roomEnd), seq, sent);
  }

  /** The value of {@code "code":"..."} in an error frame, or "?" . */
  static String errorCode(String frame) {
    int at = frame.indexOf("\"code\":\"");
    if (at < 0) {
      return "?";
    }
    int start = at + 8;
    int end = frame.indexOf('"', start);
    return end < 0 ? "?" : frame.substring(start, end);
  }

  /** The integer {@code id} of a reply, or -1 when it has none. */
  static int replyId(String frame) {
    int at = frame.indexOf("\"id\":");
    if (at < 0) {
      return -1;
    }
    int i = at + 5;
    int value = 0;
    boolean any = false;
    while (i < frame.length() && Character.isDigit(frame.charAt(i))) {
      value = value * 10 + (frame.charAt(i++) - '0');
      any = true;
    }
    return any ? value : -1;
  }
}
