package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;

import java.io.Serial;
import java.util.Map;

import java.util.concurrent.TimeUnit;

/**
 * Remembers, cluster-wide and for {@code dedup.windowMs}, the outcome of requests that carried an id, so a
 * retried {@code publish} or {@code send} (after a reconnect, possibly to another node) is not done twice.
 * A request first claims its key; a retry that finds the outcome gets it back instead of being redone.
 */
public final class RequestDedup {

  static final String MAP_NAME = "parley.dedup";
  /** The value of a claimed key whose request is still being served. */
  private static final String IN_PROGRESS = "";

  private final IMap<String, String> outcomes;
  private final Vertx vertx;
  private final long windowMs;

  public RequestDedup(HazelcastInstance hazelcast, Vertx vertx, long windowMs) {
    this.outcomes = hazelcast.getMap(MAP_NAME);
    this.vertx = vertx;
    this.windowMs = windowMs;
  }

  public static String key(String kind, String user, String scope, Object requestId) {
    return kind + "\n" + user + "\n" + scope + "\n" + requestId;
  }

  /**
   * Claims a key: completes with null when this request is the first (it must then {@link #remember} or
   * {@link #forget}), or with the earlier request's outcome. Fails with {@code unavailable} while the earlier
   * one is still in progress.
   */
  public Future<String> claim(String key) {
    return ClusterCalls.async(vertx, () -> outcomes.submitToKey(key, new Claim(IN_PROGRESS, windowMs)))
        .compose(earlier -> {
          if (IN_PROGRESS.equals(earlier)) {
            return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE,
                "the first request with this id is still in progress; retry"));
          }
          return Future.succeededFuture(earlier);
        });
  }

  /** Sets the key to {@code marker} (for {@code ttlMs}) unless it holds a value; returns that value or null. */
  record Claim(String marker, long ttlMs) implements EntryProcessor<String, String, String> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public String process(Map.Entry<String, String> entry) {
      if (entry.getValue() != null) {
        return entry.getValue();
      }
      ((ExtendedMapEntry<String, String>) entry).setValue(marker, ttlMs, TimeUnit.MILLISECONDS);
      return null;
    }
  }

  public Future<Void> remember(String key, String outcome) {
    return ClusterCalls.async(vertx, () -> outcomes.setAsync(key, outcome, windowMs, TimeUnit.MILLISECONDS));
  }

  /** The request failed: let a retry do it again. */
  public void forget(String key) {
    ClusterCalls.async(vertx, () -> outcomes.removeAsync(key));
  }
}
