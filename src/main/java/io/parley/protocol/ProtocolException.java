package io.parley.protocol;

/** A request that cannot be served; becomes an {@code error} frame with {@link #code()}. */
public final class ProtocolException extends RuntimeException {

  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ProtocolException badRequest(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, message);
  }

  public static ProtocolException forbidden(String message) {
    return new ProtocolException(ErrorCode.FORBIDDEN, message);
  }
}
