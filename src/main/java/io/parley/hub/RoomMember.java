package io.parley.hub;

import io.parley.protocol.SharedFrame;

/**
 * A local member of one room, as the hub sees it: something to hand encoded push frames to. One per session and
 * room, so a delivery needs no lookup of the room on the session's side.
 */
public interface RoomMember {

  /**
   * A room message, in seq order, exactly once per seq; {@code frame} is shared by all receivers. It may stay
   * queued until {@link #flush()}.
   */
  void onRoomMessage(long seq, SharedFrame frame);

  /** A push without a seq (presence), shared by all receivers like a message; it too may wait for {@link #flush()}. */
  void onRoomEvent(SharedFrame frame);

  /**
   * The room's stream began anew (PROTOCOL.md 1.1 {@code reset}): its seqs now count from {@code seq} in a new
   * {@code epoch}, and the next message has seq + 1.
   */
  void onRoomReset(long seq, String epoch, SharedFrame frame);

  /** The end of a batch of room pushes: send what is queued. */
  void flush();
}
