package io.parley.hub;

/** One push for a room's members: a message with its seq, or an event without one (presence). */
record RoomPush(long seq, String frame) {

  static RoomPush event(String frame) {
    return new RoomPush(-1, frame);
  }

  boolean isEvent() {
    return seq < 0;
  }
}
