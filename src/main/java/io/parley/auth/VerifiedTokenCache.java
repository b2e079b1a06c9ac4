package io.parley.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Principals of tokens that passed the signature and claim checks, so that a token presented again (reconnects)
 * skips them. At most {@code capacity} entries, the least recently used evicted first; an entry is forgotten once
 * its token would no longer verify ({@code exp} + leeway) or after {@link #MAX_AGE_MS}, whichever comes first.
 * Revocation is not this class's business: the caller checks it on every use.
 */
public final class VerifiedTokenCache {

  /**
   * {@code exp} alone would be enough for tokens that carry it (keys are fixed for the node's life, revocation is
   * checked on every verify); this cap bounds how long a token without {@code exp} (requireExp off) is trusted
   * unchecked, and costs a token in steady use one full verification per period.
   */
  static final long MAX_AGE_MS = TimeUnit.MINUTES.toMillis(5);
  /**
   * Longer tokens are verified every time. An entry's memory is mostly its principal's compiled room patterns
   * (measured: ~3 KB with three patterns, ~120 KB for a 1.9 K-character token with 140), so this caps the worst
   * entry while typical tokens (200 to 700 characters) are all cached.
   */
  static final int MAX_TOKEN_CHARS = 2048;

  private final int capacity;
  private final long leewaySeconds;
  private final LongSupplier clockMillis;
  /**
   * One lock for all gateway verticles: it is held for a hash lookup, far shorter than the verification it saves,
   * and verifications happen once per connection, not per message.
   */
  private final LinkedHashMap<String, Entry> entries;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  private record Entry(Principal principal, long validUntilMillis) {
  }

  /** @param capacity at most this many tokens; 0 disables the cache */
  VerifiedTokenCache(int capacity, int leewaySeconds) {
    this(capacity, leewaySeconds, System::currentTimeMillis);
  }

  /** @param clockMillis the clock JWTAuth judges {@code exp} by (wall-clock milliseconds); tests pass their own */
  VerifiedTokenCache(int capacity, int leewaySeconds, LongSupplier clockMillis) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0");
    }
    this.capacity = capacity;
    this.leewaySeconds = leewaySeconds;
    this.clockMillis = clockMillis;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > VerifiedTokenCache.this.capacity;
      }
    };
  }

  /** The principal of {@code token} if it verified before and would still verify now, else null. */
  Principal get(String token) {
    if (capacity == 0) {
      return null;
    }
    long now = clockMillis.getAsLong();
    synchronized (entries) {
      Entry entry = entries.get(token);
      if (entry != null && now < entry.validUntilMillis) {
        hits.increment();
        return entry.principal;
      }
      if (entry != null) {
        entries.remove(token);
      }
    }
    misses.increment();
    return null;
  }

  /** Remembers a principal whose token just passed the signature and claim checks; never call it for a failure. */
  void put(String token, Principal principal) {
    if (capacity == 0 || token.length() > MAX_TOKEN_CHARS) {
      return;
    }
    long now = clockMillis.getAsLong();
    long validUntil = Math.min(now + MAX_AGE_MS, rejectedFromMillis(principal.expiresAt()));
    if (validUntil <= now) {
      return;
    }
    synchronized (entries) {
      entries.put(token, new Entry(principal, validUntil));
    }
  }

  /**
   * When JWTAuth starts refusing a token expiring at {@code exp} (epoch seconds, 0 = none): it accepts while
   * {@code nowSeconds - leeway < exp}, i.e. until {@code (exp + leeway) * 1000} ms.
   */
  private long rejectedFromMillis(long exp) {
    if (exp == 0 || exp > Long.MAX_VALUE / 1000 - leewaySeconds) {
      return Long.MAX_VALUE;
    }
    return (exp + leewaySeconds) * 1000;
  }

  /** Lookups answered from the cache. */
  public long hits() {
    return hits.sum();
  }

  /** Lookups that needed a full verification (unknown, expired or evicted token). */
  public long misses() {
    return misses.sum();
  }

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
