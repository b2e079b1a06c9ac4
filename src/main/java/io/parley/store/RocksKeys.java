package io.parley.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys of {@link RocksStreamStore}. RocksDB orders keys bytewise, so numbers are written big-endian with the
 * sign bit flipped: byte order is then seq order (and time order in the expiry index) for every long. Names are
 * written with their length first, so that no stream's keys run into another's ("ab" never prefixes "abc").
 * <ul>
 *   <li>head: {@code [stream]} (latest and acked seq: outlives the messages)</li>
 *   <li>message: {@code [stream][seq]}</li>
 *   <li>peer index: {@code [stream][peer][seq]} (a conversation, newest first, without reading the stream)</li>
 *   <li>expiry index: {@code [expiresAt][stream][seq]} (the sweep reads only what expired)</li>
 * </ul>
 */
final class RocksKeys {

  private static final int LONG = Long.BYTES;

  private RocksKeys() {
  }

  static byte[] head(String stream) {
    byte[] name = utf8(stream);
    return putName(ByteBuffer.allocate(nameSize(name)), name).array();
  }

  static byte[] message(String stream, long seq) {
    byte[] name = utf8(stream);
    return putName(ByteBuffer.allocate(nameSize(name) + LONG), name).putLong(ordered(seq)).array();
  }

  static byte[] peer(String stream, String peer, long seq) {
    byte[] name = utf8(stream);
    byte[] other = utf8(peer);
    ByteBuffer key = ByteBuffer.allocate(nameSize(name) + nameSize(other) + LONG);
    return putName(putName(key, name), other).putLong(ordered(seq)).array();
  }

  static byte[] expiry(long expiresAt, String stream, long seq) {
    byte[] name = utf8(stream);
    ByteBuffer key = ByteBuffer.allocate(LONG + nameSize(name) + LONG).putLong(ordered(expiresAt));
    return putName(key, name).putLong(ordered(seq)).array();
  }

  /** Every expiry key of a message that expired before {@code time} sorts below this. */
  static byte[] expiringBefore(long time) {
    return ByteBuffer.allocate(LONG).putLong(ordered(time)).array();
  }

  /** The smallest key above {@code key}: an exclusive end for a range that includes {@code key}. */
  static byte[] after(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  /** The seq that a message or peer-index key ends with. */
  static long seqOf(byte[] key) {
    return ordered(ByteBuffer.wrap(key, key.length - LONG, LONG).getLong());
  }

  /** The message an expiry key stands for. */
  static StreamSeq messageOfExpiry(byte[] key) {
    ByteBuffer buffer = ByteBuffer.wrap(key, LONG, key.length - LONG);
    byte[] name = new byte[buffer.getShort() & 0xFFFF];
    buffer.get(name);
    return new StreamSeq(new String(name, StandardCharsets.UTF_8), ordered(buffer.getLong()));
  }

  /** A message's place. */
  record StreamSeq(String stream, long seq) {
  }

  /** Flipping the sign bit keeps the order of signed longs in unsigned (bytewise) comparison. */
  private static long ordered(long value) {
    return value ^ Long.MIN_VALUE;
  }

  private static byte[] utf8(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0xFFFF) {
      throw new IllegalArgumentException("a stream or peer name of " + bytes.length + " bytes");
    }
    return bytes;
  }

  private static int nameSize(byte[] name) {
    return Short.BYTES + name.length;
  }

  private static ByteBuffer putName(ByteBuffer key, byte[] name) {
    return key.putShort((short) name.length).put(name);
  }
}
