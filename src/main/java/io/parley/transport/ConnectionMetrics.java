package io.parley.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

/**
 * The transport's meters, each label from a fixed set: connections refused before any session, by reason, and
 * connections closed by the HTTP timeouts, by phase. Every series exists from the start at 0. Registering the
 * same meters again (one instance per gateway) returns the same counters.
 */
final class ConnectionMetrics {

  /** Why a connection was refused: the {@code reason} label. */
  enum Refusal {
    /** {@code limits.connectionsPerIp}: HTTP 429, or close 4029 after a WebSocket upgrade. */
    PER_IP("per_ip"),
    /** {@code limits.maxConnections}: close 1013. */
    MAX_CONNECTIONS("max_connections"),
    /** {@code limits.maxHeapFraction}: close 1013. */
    MEMORY("memory"),
    /** The node is starting or draining: 503. */
    NOT_READY("not_ready"),
    /** {@code http.allowedOrigins}: 403. */
    ORIGIN("origin"),
    /** Not a WebSocket handshake parley can answer: 400 or 426. */
    BAD_UPGRADE("bad_upgrade");

    final String label;

    Refusal(String label) {
      this.label = label;
    }
  }

  /** Where the connection was when a timeout closed it: the {@code phase} label. */
  enum Timeout {
    /** {@code http.headerTimeoutMs}: a request's headers were not complete in time. */
    HEADERS("headers"),
    /** {@code http.idleTimeoutMs}: no request on a connection that is not a session. */
    IDLE("idle");

    final String label;

    Timeout(String label) {
      this.label = label;
    }
  }

  private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);
  private final Map<Timeout, Counter> timeouts = new EnumMap<>(Timeout.class);

  ConnectionMetrics(MeterRegistry registry, ConnectionCounts counts) {
    for (Refusal refusal : Refusal.values()) {
      refusals.put(refusal, Counter.builder("parley.connections.refused")
          .description("Connections refused before a session, by reason")
          .tag("reason", refusal.label)
          .register(registry));
    }
    for (Timeout timeout : Timeout.values()) {
      timeouts.put(timeout, Counter.builder("parley.http.timeouts")
          .description("Connections closed by http.headerTimeoutMs or http.idleTimeoutMs, by phase")
          .tag("phase", timeout.label)
          .register(registry));
    }
    Gauge.builder("parley.tcp.connections", counts, ConnectionCounts::total)
        .description("Open TCP connections of the client port (sessions, plain HTTP, handshakes): what "
            + "limits.maxConnections counts")
        .register(registry);
  }

  void refused(Refusal refusal) {
    refusals.get(refusal).increment();
  }

  void timedOut(Timeout timeout) {
    timeouts.get(timeout).increment();
  }
}
