package io.parley.gatling;

import java.util.BitSet;
import java.util.List;

/**
 * One virtual user's record of the messages of a fan-out room: which of this run's markers arrived, how often,
 * and whether room seqs were contiguous. Mutable, but owned by a single virtual user (and its one WebSocket),
 * whose actions Gatling runs one at a time.
 */
final class DeliveryTracker implements FrameObserver {

  /** Session attribute holding the tracker. */
  static final String KEY = "delivery";

  private final String runId;
  private final String room;
  private final int publishers;
  private final int messages;
  private final BitSet seen;
  private final SeqOrder order = new SeqOrder();
  private int duplicates;

  /** Expects {@code messages} messages from each of publishers 1 to {@code publishers}. */
  DeliveryTracker(String runId, String room, int publishers, int messages) {
    this.runId = runId;
    this.room = room;
    this.publishers = publishers;
    this.messages = messages;
    this.seen = new BitSet(publishers * messages);
  }

  /** The body marker that identifies message {@code n} (0-based) of publisher {@code publisher} (1-based). */
  static String marker(String runId, long publisher, int n) {
    return runId + "." + publisher + "." + n;
  }

  @Override
  public void observe(List<String> frames) {
    for (String frame : frames) {
      if ("message".equals(Frames.text(frame, "type")) && room.equals(Frames.text(frame, "room"))) {
        onRoomMessage(frame);
      }
    }
  }

  private void onRoomMessage(String frame) {
    order.observe(frame);
    int index = indexOf(Frames.text(frame, "marker"));
    if (index >= 0 && seen.get(index)) {
      duplicates++;
    } else if (index >= 0) {
      seen.set(index);
    }
  }

  /** Position of a marker of this run in {@link #seen}, or -1 for someone else's message (tolerated). */
  private int indexOf(String marker) {
    if (marker == null || !marker.startsWith(runId + ".")) {
      return -1;
    }
    String[] parts = marker.substring(runId.length() + 1).split("\\.");
    try {
      int publisher = Integer.parseInt(parts[0]);
      int n = Integer.parseInt(parts[1]);
      return publisher >= 1 && publisher <= publishers && n >= 0 && n < messages
          ? (publisher - 1) * messages + n
          : -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  boolean complete() {
    return seen.cardinality() >= publishers * messages;
  }

  /** What was received, in the words the final check compares against {@link #expectedSummary()}. */
  String summary() {
    return summary(seen.cardinality(), duplicates, order.gaps());
  }

  String expectedSummary() {
    return summary(publishers * messages, 0, 0);
  }

  private String summary(int distinct, int dups, int seqGaps) {
    return "received %d/%d, duplicates %d, seq gaps %d".formatted(distinct, publishers * messages, dups, seqGaps);
  }
}
