package io.parley.gatling;

import java.util.BitSet;
import java.util.List;

/**
 * One virtual user's record of the room messages it received: which of this run's markers arrived, how often,
 * and whether room seqs were contiguous. Mutable, but owned by a single virtual user (and its one WebSocket),
 * whose actions Gatling runs one at a time.
 */
final class DeliveryTracker {

  private final String runId;
  private final String room;
  private final int users;
  private final int messages;
  private final BitSet seen;
  private int duplicates;
  private int foreign;
  private int gaps;
  private int unsolicitedErrors;
  private long lastSeq = -1;

  DeliveryTracker(String runId, String room, int users, int messages) {
    this.runId = runId;
    this.room = room;
    this.users = users;
    this.messages = messages;
    this.seen = new BitSet(users * messages);
  }

  /** The body marker that identifies message {@code n} of user {@code userId} (1-based, as Gatling numbers). */
  static String marker(String runId, long userId, int n) {
    return runId + "." + userId + "." + n;
  }

  void observe(List<String> frames) {
    for (String frame : frames) {
      String type = Frames.text(frame, "type");
      if ("message".equals(type) && room.equals(Frames.text(frame, "room"))) {
        onRoomMessage(frame);
      } else if ("error".equals(type) && Frames.text(frame, "id") == null) {
        unsolicitedErrors++; // e.g. rate_limited: load the node sheds silently would otherwise look like success
      }
    }
  }

  private void onRoomMessage(String frame) {
    long seq = Frames.number(frame, "seq");
    if (lastSeq >= 0 && seq != lastSeq + 1) {
      gaps++; // every member sees every room message, so a jump (or a repeat) in seq is a lost or doubled message
    }
    lastSeq = seq;
    int index = indexOf(Frames.text(frame, "marker"));
    if (index < 0) {
      foreign++;
    } else if (seen.get(index)) {
      duplicates++;
    } else {
      seen.set(index);
    }
  }

  /** Position of a marker of this run in {@link #seen}, or -1 for someone else's message. */
  private int indexOf(String marker) {
    if (marker == null || !marker.startsWith(runId + ".")) {
      return -1;
    }
    String[] parts = marker.substring(runId.length() + 1).split("\\.");
    try {
      int user = Integer.parseInt(parts[0]);
      int n = Integer.parseInt(parts[1]);
      return user >= 1 && user <= users && n >= 0 && n < messages ? (user - 1) * messages + n : -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  boolean complete() {
    return seen.cardinality() >= users * messages;
  }

  /** What was received, in the words the final check compares against {@link #expectedSummary()}. */
  String summary() {
    return summary(seen.cardinality(), duplicates, gaps, unsolicitedErrors);
  }

  String expectedSummary() {
    return summary(users * messages, 0, 0, 0);
  }

  int foreign() {
    return foreign;
  }

  private String summary(int distinct, int dups, int seqGaps, int errors) {
    return "received %d/%d, duplicates %d, seq gaps %d, unsolicited errors %d"
        .formatted(distinct, users * messages, dups, seqGaps, errors);
  }
}
