package io.parley.gatling;

import java.util.List;

/**
 * One chat user's record: the seqs of its home room, where it is a member throughout, so they must arrive without
 * a gap; and the marker of its last publish, whose copy it awaits (members receive their own messages).
 */
final class ChatTracker implements FrameObserver {

  /** Session attribute holding the tracker. */
  static final String KEY = "chat";

  private final String user;
  private final String homeRoom;
  private final SeqOrder homeOrder = new SeqOrder();
  private int homeMessages;
  private int published;
  private String awaitedMarker;
  private boolean echoed;

  ChatTracker(String user, String homeRoom) {
    this.user = user;
    this.homeRoom = homeRoom;
  }

  String homeRoom() {
    return homeRoom;
  }

  /** A marker for the next publish, never used before in the run, whose copy becomes the one awaited. */
  String nextMarker() {
    awaitedMarker = user + "." + ++published;
    echoed = false;
    return awaitedMarker;
  }

  boolean echoed() {
    return echoed;
  }

  @Override
  public void observe(List<String> frames) {
    for (String frame : frames) {
      if (!"message".equals(Frames.text(frame, "type"))) {
        continue;
      }
      if (homeRoom.equals(Frames.text(frame, "room"))) {
        homeOrder.observe(frame);
        homeMessages++;
      }
      if (awaitedMarker != null && awaitedMarker.equals(Frames.text(frame, "marker"))) {
        echoed = true;
      }
    }
  }

  /** What the user saw of its home room, compared against {@link #expectedSummary()} at the end. */
  String summary() {
    return summary(homeMessages > 0, homeOrder.gaps());
  }

  String expectedSummary() {
    return summary(true, 0);
  }

  private static String summary(boolean received, int gaps) {
    return (received ? "home room messages received" : "no home room message") + ", seq gaps " + gaps;
  }
}
