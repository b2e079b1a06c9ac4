package io.parley.session;

import java.util.concurrent.ConcurrentHashMap;

/**
 * New connections per source address, node-wide (all gateways share it): a token bucket per address holding up to
 * one second's worth, refilled continuously, so no window boundary lets twice the rate through. Beyond it a
 * connection is closed with 4029 before any session exists.
 */
public final class ConnectionRateLimiter {

  /** Past this many tracked addresses, full buckets are swept out (DoS guard on the map itself). */
  private static final int SWEEP_THRESHOLD = 10_000;

  private final int perSecond;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long lastMillis;
  }

  /** @param perSecond 0 for no limit */
  public ConnectionRateLimiter(int perSecond) {
    this.perSecond = perSecond;
  }

  public boolean allow(String address, long nowMillis) {
    if (perSecond == 0) {
      return true;
    }
    if (buckets.size() > SWEEP_THRESHOLD) {
      buckets.values().removeIf(b -> nowMillis - b.lastMillis > 1000);
    }
    boolean[] allowed = new boolean[1];
    buckets.compute(address, (a, bucket) -> {
      if (bucket == null) {
        bucket = new Bucket();
        bucket.tokens = perSecond;
      } else {
        bucket.tokens = Math.min(perSecond, bucket.tokens + (nowMillis - bucket.lastMillis) * perSecond / 1000.0);
      }
      bucket.lastMillis = nowMillis;
      allowed[0] = bucket.tokens >= 1;
      if (allowed[0]) {
        bucket.tokens -= 1;
      }
      return bucket;
    });
    return allowed[0];
  }
}
