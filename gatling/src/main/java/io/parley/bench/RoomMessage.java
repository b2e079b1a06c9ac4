package io.parley.bench;

/**
 * The fields the bench reads from a room message. Mutable and reused, one per event-loop thread (held by
 * {@link InboundText}), so that reading a frame allocates nothing; read it before the next frame on that thread.
 */
final class RoomMessage {

  /** The room name's trailing number, or -1. */
  int roomNumber;
  /** The room's sequence number, or -1. */
  long seq;
  /** The publisher's System.nanoTime from the body, or Long.MIN_VALUE. */
  long sentNanos;

  void set(int roomNumber, long seq, long sentNanos) {
    this.roomNumber = roomNumber;
    this.seq = seq;
    this.sentNanos = sentNanos;
  }
}
