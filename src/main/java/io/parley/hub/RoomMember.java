package io.parley.hub;

import io.parley.protocol.SharedFrame;

/** A local member of a room, as the hub sees it: something to hand encoded push frames to. */
public interface RoomMember {

  /**
   * A room message, in seq order, exactly once per seq; {@code frame} is shared by all receivers. It may stay
   * queued until {@link #flush()}.
   */
  void onRoomMessage(String room, long seq, SharedFrame frame);

  /** A push without a seq (presence), shared by all receivers like a message; it too may wait for {@link #flush()}. */
  void onRoomEvent(String room, SharedFrame frame);

  /** The end of a batch of room pushes: send what is queued. */
  void flush();
}
