package io.parley.protocol;

/**
 * WebSocket/SockJS close codes parley sends (PROTOCOL.md, "Close codes"). 1000–1015 are RFC 6455's;
 * 4000–4999 are reserved by the RFC for applications.
 */
public enum CloseCode {
  NORMAL(1000, "normal"),
  /** The node is draining: reconnect to any node and join with {@code since}. */
  GOING_AWAY(1001, "node shutting down"),
  /** PROTOCOL.md 1.1: the node is at its connection or memory limit; reconnect to another node after a pause. */
  TRY_AGAIN_LATER(1013, "node at its connection or memory limit"),
  UNAUTHORIZED(4001, "unauthorized"),
  /** The session's token expired (PROTOCOL.md 1.1): get a new token, reconnect, recover with {@code since}. */
  TOKEN_EXPIRED(4002, "token expired"),
  /** Too slow a consumer (outbound queue overflowed), or too many protocol errors. */
  POLICY(4008, "policy violation"),
  FRAME_TOO_LARGE(4009, "frame too large"),
  CONNECTION_RATE(4029, "connection rate limit");

  private final int code;
  private final String reason;

  CloseCode(int code, String reason) {
    this.code = code;
    this.reason = reason;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }
}
