package io.parley.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

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

  /** Absolute index of {@code needle} in {@code buf} at or after absolute index {@code from}, or -1. */
  static int indexOf(ByteBuf buf, byte[] needle, int from) {
    int end = buf.writerIndex() - needle.length;
    outer:
    for (int i = from; i <= end; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (buf.getByte(i + j) != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static int indexOf(ByteBuf buf, byte b, int from) {
    return buf.indexOf(from, buf.writerIndex(), b);
  }

  /** Parses an optionally negative decimal integer starting at absolute index {@code at}; Long.MIN_VALUE if none. */
  static long parseLong(ByteBuf buf, int at) {
    int end = buf.writerIndex();
    boolean negative = at < end && buf.getByte(at) == '-';
    int i = negative ? at + 1 : at;
    long value = 0;
    int digits = 0;
    for (; i < end; i++) {
      byte c = buf.getByte(i);
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
  static int roomNumber(ByteBuf buf, int start, int end) {
    int value = 0;
    int scale = 1;
    for (int i = end - 1; i >= start; i--) {
      byte c = buf.getByte(i);
      if (c < '0' || c > '9') {
        return i == end - 1 ? -1 : value;
      }
      value += (c - '0') * scale;
      scale *= 10;
    }
    return value;
  }

  /** A parsed room message: fields are absolute indexes or values; {@code sentNanos} is Long.MIN_VALUE if absent. */
  record RoomMessage(int roomNumber, long seq, long sentNanos) {}

  static RoomMessage roomMessage(ByteBuf buf) {
    int roomStart = buf.readerIndex() + ROOM_MESSAGE.length;
    int roomEnd = indexOf(buf, (byte) '"', roomStart);
    if (roomEnd < 0) {
      return new RoomMessage(-1, -1, Long.MIN_VALUE);
    }
    long seq = -1;
    if (indexOf(buf, SEQ, roomEnd) == roomEnd) {
      seq = parseLong(buf, roomEnd + SEQ.length);
    }
    int body = indexOf(buf, BODY, roomEnd);
    long sent = body < 0 ? Long.MIN_VALUE : parseLong(buf, body + BODY.length);
    return new RoomMessage(roomNumber(buf, roomStart, roomEnd), seq, sent);
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
