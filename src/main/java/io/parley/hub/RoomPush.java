package io.parley.hub;

/**
 * One push for a room's members: a message with its seq, an event without one (presence), or a reset (the
 * room's stream began anew: {@code seq} is the new run's latest, in {@code resetEpoch}).
 */
record RoomPush(long seq, String frame, String resetEpoch) {

  RoomPush(long seq, String frame) {
    this(seq, frame, null);
  }

  static RoomPush event(String frame) {
    return new RoomPush(-1, frame, null);
  }

  static RoomPush reset(long seq, String epoch, String frame) {
    return new RoomPush(seq, frame, epoch);
  }

  boolean isReset() {
    return resetEpoch != null;
  }

  boolean isEvent() {
    return seq < 0;
  }
}
