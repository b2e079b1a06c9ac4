package io.parley.bench;

/** What a scenario hears from its connections; called on the connection's event-loop thread. */
interface FrameListener {

  /** A room message; {@code sentNanos} is the publisher's System.nanoTime from the body (Long.MIN_VALUE if none). */
  void onRoomMessage(WsConnection connection, int roomNumber, long seq, long sentNanos, long receivedNanos);

  /** The {@code ok} of a fire-and-forget request (a publish). */
  default void onAck(WsConnection connection) {}

  /** {@link #onAck(WsConnection)} with the ok frame's text, for scenarios that match oks to publishes by room. */
  default void onAck(WsConnection connection, String frame) {
    onAck(connection);
  }

  /** An {@code error} frame that answers no pending request (a failed publish, or a push such as rate_limited). */
  default void onError(WsConnection connection, String code) {}

  default void onPresence(WsConnection connection) {}

  /** The connection is gone; {@code closeCode} is the server's WebSocket close code, or -1 without a close frame. */
  default void onClosed(WsConnection connection, int closeCode) {}
}
