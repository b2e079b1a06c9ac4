package io.parley.store;

/** The store could not commit or read: the request may be retried ({@code unavailable} on the wire). */
public final class StoreUnavailableException extends RuntimeException {

  public StoreUnavailableException(Throwable cause) {
    super("the message store is unavailable: " + cause.getMessage(), cause);
  }
}
