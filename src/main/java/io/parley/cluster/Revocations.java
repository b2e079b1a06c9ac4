package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.auth.Principal;
import io.parley.auth.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * Users whose tokens were revoked, cluster-wide: every token of the user issued at or before the revocation
 * (or without {@code iat}) is refused, for {@code auth.revocationTtlMs} — set it to at least the longest token
 * lifetime you issue, so an old token has expired by the time its revocation is forgotten.
 */
public final class Revocations implements TokenVerifier.RevocationCheck {

  static final String MAP_NAME = "parley.revoked";

  private final IMap<String, Long> revokedAt;
  private final Vertx vertx;
  private final long ttlMs;

  public Revocations(HazelcastInstance hazelcast, Vertx vertx, long ttlMs) {
    this.revokedAt = hazelcast.getMap(MAP_NAME);
    this.vertx = vertx;
    this.ttlMs = ttlMs;
  }

  public Future<Void> revoke(String user) {
    long nowSeconds = System.currentTimeMillis() / 1000;
    return ClusterCalls.async(vertx, () -> revokedAt.setAsync(user, nowSeconds, ttlMs, TimeUnit.MILLISECONDS));
  }

  @Override
  public Future<Boolean> isRevoked(Principal principal) {
    return ClusterCalls.async(vertx, () -> revokedAt.getAsync(principal.user()))
        .map(at -> at != null && (principal.issuedAt() == 0 || principal.issuedAt() <= at));
  }
}
