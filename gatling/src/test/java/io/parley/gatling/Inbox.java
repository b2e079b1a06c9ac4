package io.parley.gatling;

import java.util.List;

/**
 * One virtual user's inbound side: the reply its pending request awaits, the error pushes, and every frame handed
 * on to the scenario's {@link FrameObserver}. Owned by that user alone, whose actions Gatling runs one at a time.
 */
final class Inbox {

  private final FrameObserver observer;
  private int requests;
  private String awaitedId;
  private Reply reply;
  private int unsolicitedErrors;

  Inbox(FrameObserver observer) {
    this.observer = observer;
  }

  /**
   * A fresh id for the next request, which from now on is the one awaited. Ids never repeat within a user, so a
   * late reply to an earlier request that timed out can't pass for this one.
   */
  String awaitNext(String name) {
    awaitedId = name + "-" + ++requests;
    reply = null;
    return awaitedId;
  }

  void observe(List<String> frames) {
    for (String frame : frames) {
      String id = Frames.text(frame, "id");
      if (id == null && "error".equals(Frames.text(frame, "type"))) {
        unsolicitedErrors++; // e.g. rate_limited: load the node sheds silently would otherwise look like success
      } else if (id != null && id.equals(awaitedId)) {
        reply = new Reply(frame);
      }
    }
    observer.observe(frames);
  }

  /** The reply to the awaited request, or null while it has not arrived. */
  Reply reply() {
    return reply;
  }

  int unsolicitedErrors() {
    return unsolicitedErrors;
  }
}
