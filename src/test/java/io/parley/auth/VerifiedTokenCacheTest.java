package io.parley.auth;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache's expiry, bound and eviction order, on a clock the test moves. */
class VerifiedTokenCacheTest {

  private static final long NOW_MS = 1_800_000_000_000L;
  private static final long NOW_S = NOW_MS / 1000;

  private final AtomicLong clock = new AtomicLong(NOW_MS);

  @Test
  @DisplayName("an entry is served until exp + leeway, the moment JWTAuth starts refusing the token, and not after")
  void expiresWithTokenPlusLeeway() {
    VerifiedTokenCache cache = cache(10, 5);
    Principal alice = principal("alice", NOW_S + 60);
    cache.put("token-a", alice);
    clock.set((NOW_S + 65) * 1000 - 1);
    assertSame(alice, cache.get("token-a"));
    clock.set((NOW_S + 65) * 1000);
    assertNull(cache.get("token-a"));
    assertEquals(0, cache.size(), "the expired entry is dropped, not kept");
  }

  @ParameterizedTest(name = "exp {0}")
  @ValueSource(longs = {0, NOW_S + 86_400})
  @DisplayName("a token without exp, or with a far one, is served for MAX_AGE_MS, then verified again")
  void boundedAge(long exp) {
    VerifiedTokenCache cache = cache(10, 5);
    Principal alice = principal("alice", exp);
    cache.put("token-a", alice);
    clock.set(NOW_MS + VerifiedTokenCache.MAX_AGE_MS - 1);
    assertSame(alice, cache.get("token-a"));
    clock.set(NOW_MS + VerifiedTokenCache.MAX_AGE_MS);
    assertNull(cache.get("token-a"));
  }

  @Test
  @DisplayName("a principal whose token is already past exp + leeway is not stored")
  void alreadyExpiredNotStored() {
    VerifiedTokenCache cache = cache(10, 0);
    cache.put("token-a", principal("alice", NOW_S));
    assertEquals(0, cache.size());
  }

  @Test
  @DisplayName("over capacity, the least recently used entry goes first")
  void leastRecentlyUsedEvicted() {
    VerifiedTokenCache cache = cache(2, 5);
    Principal a = principal("a", NOW_S + 60);
    Principal c = principal("c", NOW_S + 60);
    cache.put("token-a", a);
    cache.put("token-b", principal("b", NOW_S + 60));
    cache.get("token-a");
    cache.put("token-c", c);
    assertEquals(2, cache.size());
    assertNull(cache.get("token-b"));
    assertSame(a, cache.get("token-a"));
    assertSame(c, cache.get("token-c"));
  }

  @Test
  @DisplayName("tokens longer than MAX_TOKEN_CHARS are not stored: memory per entry stays small")
  void longTokensNotStored() {
    VerifiedTokenCache cache = cache(10, 5);
    cache.put("t".repeat(VerifiedTokenCache.MAX_TOKEN_CHARS + 1), principal("alice", NOW_S + 60));
    assertEquals(0, cache.size());
    cache.put("t".repeat(VerifiedTokenCache.MAX_TOKEN_CHARS), principal("alice", NOW_S + 60));
    assertEquals(1, cache.size());
  }

  @Test
  @DisplayName("hits and misses are counted; capacity 0 stores and counts nothing")
  void countsAndDisabled() {
    VerifiedTokenCache cache = cache(10, 5);
    cache.get("token-a");
    cache.put("token-a", principal("alice", NOW_S + 60));
    cache.get("token-a");
    assertEquals(1, cache.hits());
    assertEquals(1, cache.misses());

    VerifiedTokenCache off = cache(0, 5);
    off.put("token-a", principal("alice", NOW_S + 60));
    assertNull(off.get("token-a"));
    assertEquals(0, off.size());
    assertEquals(0, off.hits() + off.misses());
  }

  @Test
  @DisplayName("shared by several threads (gateway verticles): no corruption, the bound holds")
  void concurrentUse() throws Exception {
    VerifiedTokenCache cache = cache(100, 5);
    Principal principal = principal("alice", NOW_S + 60);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        workers.add(threads.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < 200_000; i++) {
            String token = "token-" + random.nextInt(1000);
            if (cache.get(token) == null) {
              cache.put(token, principal);
            }
          }
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    long present = IntStream.range(0, 1000).filter(i -> cache.get("token-" + i) != null).count();
    assertTrue(present <= 100, () -> present + " entries kept");
    assertEquals(present, cache.size(), "the map's count agrees with its contents");
  }

  private VerifiedTokenCache cache(int capacity, int leewaySeconds) {
    return new VerifiedTokenCache(capacity, leewaySeconds, clock::get);
  }

  private static Principal principal(String user, long exp) {
    return new Principal(user, RoomPatterns.ANY, RoomPatterns.NONE, false, NOW_S, exp);
  }
}
