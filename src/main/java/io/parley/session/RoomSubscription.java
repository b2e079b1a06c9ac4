package io.parley.session;

import io.parley.protocol.SharedFrame;

import java.util.ArrayList;
import java.util.List;

/**
 * A session's membership of one room. While the join is in progress, live messages are held back so that the
 * client sees recovered history, then the {@code ok}, then live messages — each seq once, in order.
 */
final class RoomSubscription {

  private List<HeldMessage> held = new ArrayList<>();
  /** The highest seq the client has been sent (or told about in the join's ok). */
  private long lastSeq;

  private record HeldMessage(long seq, SharedFrame frame) {
  }

  boolean joining() {
    return held != null;
  }

  long lastSeq() {
    return lastSeq;
  }

  /** @return the frame to write now, or null when it is held back or already sent */
  SharedFrame accept(long seq, SharedFrame frame) {
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
