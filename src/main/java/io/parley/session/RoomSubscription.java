package io.parley.session;

import io.parley.hub.RoomMember;
import io.parley.protocol.SharedFrame;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

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
  /** The epoch of {@link #lastSeq}. */
  private String epoch;
  /** The join's presence write was issued: the leave must withdraw it. */
  private boolean announced;

  /** A message held back while joining; a reset when {@code resetEpoch} is set. */
  private record HeldMessage(long seq, SharedFrame frame, String resetEpoch) {
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
  public void onRoomReset(long seq, String newEpoch, SharedFrame frame) {
    if (left) {
      return;
    }
    if (held != null) {
      held.add(new HeldMessage(seq, frame, newEpoch));
      return;
    }
    lastSeq = seq;
    epoch = newEpoch;
    session.queue(frame);
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

  boolean hasLeft() {
    return left;
  }

  /**
   * The join announces the member in cluster presence, unless the member left (or the session closed) before
   * the join got that far: then nothing is announced, and nothing needs withdrawing.
   */
  Future<Void> announce(Supplier<Future<Void>> join) {
    return session.inPresenceOrder(room, () -> {
      if (left) {
        return Future.succeededFuture();
      }
      announced = true;
      return join.get();
    });
  }

  /**
   * Leaves the room locally at once, and in presence after every earlier presence write of this session for the
   * room (see {@link Session#inPresenceOrder}): a leave that overtook its join left a ghost for good.
   */
  Future<Void> withdraw(Supplier<Future<Void>> leaveCluster) {
    leave();
    return session.inPresenceOrder(room, () -> announced ? leaveCluster.get() : Future.succeededFuture());
  }

  boolean joining() {
    return held != null;
  }

  long lastSeq() {
    return lastSeq;
  }

  String epoch() {
    return epoch;
  }

  /** @return the frame to write now, or null when it is held back or already sent */
  private SharedFrame accept(long seq, SharedFrame frame) {
    if (held != null) {
      held.add(new HeldMessage(seq, frame, null));
      return null;
    }
    if (seq <= lastSeq) {
      return null;
    }
    lastSeq = seq;
    return frame;
  }

  /**
   * Ends the join: the client has everything up to {@code seenUpTo} in {@code joinedEpoch}; returns the held
   * frames to write after it. A reset held meanwhile that the join's reply did not yet reflect is passed on, and
   * messages held before it belong to the old run.
   */
  List<SharedFrame> joined(long seenUpTo, String joinedEpoch) {
    lastSeq = seenUpTo;
    epoch = joinedEpoch;
    List<SharedFrame> release = new ArrayList<>();
    for (HeldMessage message : held) {
      if (message.resetEpoch != null) {
        if (!message.resetEpoch.equals(epoch)) {
          release.clear();
          release.add(message.frame);
          lastSeq = message.seq;
          epoch = message.resetEpoch;
        }
      } else if (message.seq > lastSeq) {
        lastSeq = message.seq;
        release.add(message.frame);
      }
    }
    held = null;
    return release;
  }
}
