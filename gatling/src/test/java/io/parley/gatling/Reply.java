package io.parley.gatling;

/** The server's answer to one request: the protocol frame carrying the request's {@code id}. */
record Reply(String frame) {

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
