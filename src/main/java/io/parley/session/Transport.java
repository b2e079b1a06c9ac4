package io.parley.session;

import io.parley.protocol.CloseCode;
import io.parley.protocol.SharedFrame;

/** One client connection as the session sees it: write-only, closable, whatever the wire (WebSocket or SockJS). */
public interface Transport {

  /** {@code websocket} or {@code sockjs}: the metrics label. */
  String kind();

  /** Queues one text frame. */
  void write(String frame);

  /** Queues one text frame that many receivers share (encoded once), not sent before {@link #flush()}. */
  void write(SharedFrame frame);

  /** Sends what {@link #write(SharedFrame)} queued. */
  void flush();

  /** True when more is queued for the client than {@code limits.maxQueuedBytes}. */
  boolean writeQueueFull();

  /** Bytes written but not yet handed to the client's socket: what a paced writer waits on. */
  long queuedBytes();

  /** Sends a close frame with the code, then closes. */
  void close(CloseCode code, String reason);

  /** A liveness probe (a WebSocket ping); transports with their own heartbeats do nothing. */
  void ping();

  /** True when the transport answers {@link #ping()}s, so silence means the peer is gone. */
  boolean expectsPong();

  /** The client's address, without the port: the unit of the connection rate limit. */
  String remoteHost();
}
