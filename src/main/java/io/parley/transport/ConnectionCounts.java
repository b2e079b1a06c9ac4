package io.parley.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node's open client connections (every TCP connection of the HTTP port, sessions or not), in total and per
 * source address: what {@code limits.maxConnections} and {@code limits.connectionsPerIp} are checked against.
 * All gateways share one; the per-address map is only kept while that limit is on.
 */
final class ConnectionCounts {

  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();

  /**
   * Counts a new connection. Returns false, and leaves it out of its address's count (it is about to be refused),
   * when its address already has {@code perAddressLimit} open; 0 is no limit.
   */
  boolean open(String address, int perAddressLimit) {
    total.incrementAndGet();
    if (perAddressLimit <= 0) {
      return true;
    }
    boolean[] admitted = new boolean[1];
    perAddress.compute(address, (a, open) -> {
      int count = open == null ? 0 : open;
      admitted[0] = count < perAddressLimit;
      return admitted[0] ? Integer.valueOf(count + 1) : open;
    });
    return admitted[0];
  }

  /** The connection closed; {@code admitted}: what {@link #open} returned for it with a limit on. */
  void closed(String address, boolean countedForAddress) {
    total.decrementAndGet();
    if (countedForAddress) {
      perAddress.computeIfPresent(address, (a, open) -> open <= 1 ? null : open - 1);
    }
  }

  int total() {
    return total.get();
  }

  /** Open connections from one address (0 while the per-address limit is off). */
  int of(String address) {
    return perAddress.getOrDefault(address, 0);
  }
}
