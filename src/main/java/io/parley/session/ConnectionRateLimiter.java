package io.parley.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New connections per source address per second, node-wide (all gateways share it): a fixed one-second window
 * per address. Beyond the limit a connection is closed with 4029 before any session exists.
 */
public final class ConnectionRateLimiter {

  /** Past this many tracked addresses, windows older than a second are swept out (DoS guard on the map itself). */
  private static final int SWEEP_THRESHOLD = 10_000;

  private final int perSecond;
  /** address → (window second << 32 | count in that window) */
  private final ConcurrentHashMap<String, AtomicLong> windows = new ConcurrentHashMap<>();

  /** @param perSecond 0 for no limit */
  public ConnectionRateLimiter(int perSecond) {
    this.perSecond = perSecond;
  }

  public boolean allow(String address, long nowMillis) {
    if (perSecond == 0) {
      return true;
    }
    long second = nowMillis / 1000;
    if (windows.size() > SWEEP_THRESHOLD) {
      windows.values().removeIf(w -> (w.get() >>> 32) < second);
    }
    long updated = windows.computeIfAbsent(address, a -> new AtomicLong()).updateAndGet(w ->
        (w >>> 32) == second ? w + 1 : (second << 32) | 1);
    return (updated & 0xFFFFFFFFL) <= perSecond;
  }
}
