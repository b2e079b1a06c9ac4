package io.parley.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The values of {@link RocksStreamStore}: a message ({@code ts, expiresAt, peer, data}), a stream's head
 * ({@code latest, acked}) and an expiry-index entry (the message's peer, so that the sweep can drop its
 * peer-index entry without reading the message).
 */
final class RocksValues {

  /** The length written for a message without a peer (a room's). */
  private static final int NO_PEER = -1;

  private RocksValues() {
  }

  static byte[] message(StreamEntry entry) {
    byte[] peer = peerBytes(entry.peer());
    byte[] data = entry.data().getBytes(StandardCharsets.UTF_8);
    return putPeer(ByteBuffer.allocate(2 * Long.BYTES + Integer.BYTES + peer.length + data.length)
        .putLong(entry.ts()).putLong(entry.expiresAt()), entry.peer(), peer).put(data).array();
  }

  static StreamEntry message(String stream, long seq, byte[] value) {
    ByteBuffer buffer = ByteBuffer.wrap(value);
    long ts = buffer.getLong();
    long expiresAt = buffer.getLong();
    String peer = getPeer(buffer);
    String data = new String(value, buffer.position(), buffer.remaining(), StandardCharsets.UTF_8);
    return new StreamEntry(stream, seq, ts, expiresAt, peer, data);
  }

  static byte[] expiry(String peer) {
    byte[] bytes = peerBytes(peer);
    return putPeer(ByteBuffer.allocate(Integer.BYTES + bytes.length), peer, bytes).array();
  }

  static String peerOfExpiry(byte[] value) {
    return getPeer(ByteBuffer.wrap(value));
  }

  static byte[] head(long latest, long acked) {
    return ByteBuffer.allocate(2 * Long.BYTES).putLong(latest).putLong(acked).array();
  }

  static long latestOfHead(byte[] head) {
    return ByteBuffer.wrap(head).getLong(0);
  }

  static long ackedOfHead(byte[] head) {
    return ByteBuffer.wrap(head).getLong(Long.BYTES);
  }

  private static byte[] peerBytes(String peer) {
    return peer == null ? new byte[0] : peer.getBytes(StandardCharsets.UTF_8);
  }

  private static ByteBuffer putPeer(ByteBuffer buffer, String peer, byte[] bytes) {
    return buffer.putInt(peer == null ? NO_PEER : bytes.length).put(bytes);
  }

  private static String getPeer(ByteBuffer buffer) {
    int length = buffer.getInt();
    if (length == NO_PEER) {
      return null;
    }
    String peer = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length, StandardCharsets.UTF_8);
    buffer.position(buffer.position() + length);
    return peer;
  }
}
