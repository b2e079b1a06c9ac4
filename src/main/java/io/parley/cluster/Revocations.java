package io.parley.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.parley.auth.Principal;
import io.parley.auth.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Users whose tokens were revoked, cluster-wide: every token of the user issued at or before the revocation
 * (or without {@code iat}) is refused, for {@code auth.revocationTtlMs} — set it to at least the longest token
 * lifetime you issue, so an old token has expired by the time its revocation is forgotten. Each node mirrors the
 * (small) map through an entry listener, so checking a token at connect time costs no cluster round trip.
 */
public final class Revocations implements TokenVerifier.RevocationCheck {

  static final String MAP_NAME = "parley.revoked";

  private final IMap<String, Long> revokedAt;
  private final Vertx vertx;
  private final long ttlMs;
  private final Map<String, Long> mirror = new ConcurrentHashMap<>();

  public Revocations(HazelcastInstance hazelcast, Vertx vertx, long ttlMs) {
    this.revokedAt = hazelcast.getMap(MAP_NAME);
    this.vertx = vertx;
    this.ttlMs = ttlMs;
    revokedAt.addEntryListener(new Mirror(), true);
    mirror.putAll(revokedAt);
  }

  /**
   * Completes once stored (with its backup); this node refuses the user's old tokens at once, the others as soon
   * as the entry event reaches them (asynchronous: typically within milliseconds).
   */
  public Future<Void> revoke(String user) {
    long nowSeconds = System.currentTimeMillis() / 1000;
    mirror.merge(user, nowSeconds, Math::max);
    return ClusterCalls.async(vertx, () -> revokedAt.setAsync(user, nowSeconds, ttlMs, TimeUnit.MILLISECONDS));
  }

  @Override
  public Future<Boolean> isRevoked(Principal principal) {
    Long at = mirror.get(principal.user());
    return Future.succeededFuture(at != null && (principal.issuedAt() == 0 || principal.issuedAt() <= at));
  }

  private final class Mirror implements EntryAddedListener<String, Long>, EntryUpdatedListener<String, Long>,
      EntryRemovedListener<String, Long>, EntryExpiredListener<String, Long> {

    @Override
    public void entryAdded(EntryEvent<String, Long> event) {
      mirror.put(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, Long> event) {
      mirror.put(event.getKey(), event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, Long> event) {
      mirror.remove(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, Long> event) {
      mirror.remove(event.getKey());
    }
  }
}
