package io.parley.transport;

import io.netty.channel.Channel;
import io.parley.config.ParleyConfig;
import io.parley.protocol.CloseCode;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The node's limits on connections, as one gateway applies them: per source address ({@code
 * limits.connectionsPerIp}, decided when the TCP connection is accepted), on the node's connections and heap
 * ({@code limits.maxConnections}, {@code limits.maxHeapFraction}, decided when a session would open), and the
 * HTTP timeouts ({@code http.headerTimeoutMs}, {@code http.idleTimeoutMs}) of every connection not yet a session.
 */
final class ConnectionLimits {

  /** How long a refused WebSocket waits for the client's close frame before the TCP connection is closed. */
  static final long REFUSED_CLOSE_TIMEOUT_MS = 1000;

  private final ConnectionCounts counts;
  private final ConnectionMetrics metrics;
  private final int perAddress;
  private final int maxConnections;
  private final double maxHeapFraction;
  private final long headerTimeoutMs;
  private final long idleTimeoutMs;

  ConnectionLimits(ParleyConfig config, ConnectionCounts counts, ConnectionMetrics metrics) {
    this.counts = counts;
    this.metrics = metrics;
    this.perAddress = config.limits().connectionsPerIp();
    this.maxConnections = config.limits().effectiveMaxConnections();
    this.maxHeapFraction = config.limits().maxHeapFraction();
    this.headerTimeoutMs = config.http().headerTimeoutMs();
    this.idleTimeoutMs = config.http().idleTimeoutMs();
  }

  /**
   * Counts a new TCP connection until it closes and puts the timeouts on it. The watch it returns says whether
   * its address is over {@code limits.connectionsPerIp}: then its first request is refused.
   */
  HttpConnectionWatch accept(Channel channel) {
    String address = address(channel.remoteAddress());
    boolean admitted = counts.open(address, perAddress);
    boolean countedForAddress = admitted && perAddress > 0;
    channel.closeFuture().addListener(closed -> counts.closed(address, countedForAddress));
    return new HttpConnectionWatch(headerTimeoutMs, idleTimeoutMs, metrics, !admitted);
  }

  /** Null when a new session may open; else the code to close it with (1013), counted by reason. */
  CloseCode sessionRefusal() {
    if (counts.total() > maxConnections) {
      metrics.refused(ConnectionMetrics.Refusal.MAX_CONNECTIONS);
      return CloseCode.TRY_AGAIN_LATER;
    }
    if (maxHeapFraction < 1 && HeapWatch.usedFraction() > maxHeapFraction) {
      metrics.refused(ConnectionMetrics.Refusal.MEMORY);
      return CloseCode.TRY_AGAIN_LATER;
    }
    return null;
  }

  ConnectionMetrics metrics() {
    return metrics;
  }

  int maxConnections() {
    return maxConnections;
  }

  static String address(SocketAddress address) {
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : "unknown";
  }
}
