package io.parley.protocol;

/** Error codes of {@code error} frames: the request failed, the connection stays open (PROTOCOL.md). */
public enum ErrorCode {
  BAD_REQUEST,
  UNAUTHORIZED,
  FORBIDDEN,
  NOT_FOUND,
  RATE_LIMITED,
  TOO_LARGE,
  /** The cluster cannot serve it now: the client may retry. */
  UNAVAILABLE,
  INTERNAL;

  /** The snake_case name sent on the wire. */
  public String wireName() {
    return name().toLowerCase();
  }
}
