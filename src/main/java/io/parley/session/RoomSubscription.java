package io.parley.session;

import io.parley.hub.RoomMember;
import io.parley.protocol.SharedFrame;

import java.util.ArrayList;
import java.util.List;

/**
 * A session's membership of one room, and the room's member as the hub sees it. While the join is in progress,
 * live messages are held back so that the client sees recovered history, then the {@code ok}, then live
 * messages — each seq once, in order.
 */
final class RoomSubscription implements RoomMember {

  private final Session session;
  private final String room;
  private List<HeldMessage> held = new ArrayList<>();
  /** Set on leave: the hub may still hand over the rest of a batch it was delivering. */
  private boolean left;
  /** The highest seq the client has been sent (or told about in the join's ok). */
  private long lastSeq;

  private record HeldMessage(long seq, SharedFrame frame) {
  }

  RoomSubscription(Session session, String room) {
    this.session = session;
    this.room = room;
  }

  @Override
  public void onRoomMessage(long seq, SharedFrame frame) {
    if (!left) {
      SharedFrame out = accept(seq, frame);
      if (out != null) {
        session.queue(out);
      }
    }
  }

  @Override
  public void onRoomEvent(SharedFrame frame) {
    if (!left) {
      session.queue(frame);
    }
  }

  @Override
  public void flush() {
    session.flush();
  }

  /** Stops delivery to this subscription at once, including the rest of a batch the hub is delivering. */
  void leave() {
    left = true;
    session.localRooms().remove(room, this);
  }

  boolean joining() {
    return held != null;
  }

  long lastSeq() {
    return lastSeq;
  }

  /** @return the frame to write now, or null when it is held back or already sent */
  private SharedFrame accept(long seq, SharedFrame frame) {
    if (held != null) {
      held.add(new HeldMessage(seq, frame));
      return null;
    }
    if (seq <= lastSeq) {
      return null;
    }
    lastSeq = seq;
    return frame;
  }

  /** Ends the join: the client has everything up to {@code seenUpTo}; returns the held frames to write after it. */
  List<SharedFrame> joined(long seenUpTo) {
    lastSeq = seenUpTo;
    List<SharedFrame> release = new ArrayList<>();
    for (HeldMessage message : held) {
      if (message.seq > lastSeq) {
        lastSeq = message.seq;
        release.add(message.frame);
      }
    }
    held = null;
    return release;
  }
}
