package io.parley.gatling;

import java.util.List;

/** The server's answer to one request: the protocol frame carrying the request's {@code id}. */
record Reply(String frame) {

  /** The reply to {@code id} among decoded frames, or null (pushes carry no top-level {@code id}). */
  static Reply find(List<String> frames, String id) {
    for (String frame : frames) {
      if (id.equals(Frames.text(frame, "id"))) {
        return new Reply(frame);
      }
    }
    return null;
  }

  /** {@code ok}/{@code pong}, or {@code error:<code>} so a failed check says why. */
  String outcome() {
    String type = Frames.text(frame, "type");
    return "error".equals(type) ? "error:" + Frames.text(frame, "code") : type;
  }

  String text(String name) {
    return Frames.text(frame, name);
  }

  long number(String name) {
    return Frames.number(frame, name);
  }
}
