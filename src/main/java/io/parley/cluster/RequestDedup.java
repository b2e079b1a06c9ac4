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
 * A request first claims its key; a retry that finds the outcome gets it back instead of being redone. Values are
 * {@code fingerprint|outcome} (an empty outcome: still in progress), so an id reused for different content is
 * told apart from a retry.
 */
public final class RequestDedup {

  static final String MAP_NAME = "parley.dedup";

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
   * Claims a key for a request whose content has {@code fingerprint}. Completes with:
   * {@link Claimed#first()} when this request is the first (it must then {@link #remember} or {@link #forget});
   * the earlier outcome when it is a retry of the same content; or {@link Claimed#reused()} when the id was
   * already used for other content (a client reusing ids, not retrying): that request is done normally.
   * Fails with {@code unavailable} while the first attempt of the same content is still in progress, and when
   * the key's owner died during the claim: the claim, which may have been stored, is then removed, or every
   * retry would be told "in progress" for the rest of the window.
   */
  public Future<Claimed> claim(String key, String fingerprint) {
    return ClusterCalls.async(vertx, () -> outcomes.submitToKey(key, new Claim(fingerprint + "|", windowMs)))
        .onFailure(failure -> {
          if (ClusterFailures.isIndeterminate(failure)) {
            forget(key);
          }
        })
        .compose(earlier -> {
          if (earlier == null) {
            return Future.succeededFuture(Claimed.FIRST);
          }
          int bar = earlier.indexOf('|');
          if (!earlier.substring(0, bar).equals(fingerprint)) {
            return Future.succeededFuture(Claimed.REUSED);
          }
          if (bar == earlier.length() - 1) {
            return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE,
                "the first request with this id is still in progress; retry"));
          }
          return Future.succeededFuture(new Claimed(earlier.substring(bar + 1)));
        });
  }

  /** The outcome of a claim: first, reused for other content, or the earlier outcome of a retry. */
  public record Claimed(String outcome) {
    static final Claimed FIRST = new Claimed(null);
    static final Claimed REUSED = new Claimed("");

    public boolean first() {
      return this == FIRST;
    }

    public boolean reused() {
      return this == REUSED;
    }
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

  public Future<Void> remember(String key, String fingerprint, String outcome) {
    return ClusterCalls.async(vertx,
        () -> outcomes.setAsync(key, fingerprint + "|" + outcome, windowMs, TimeUnit.MILLISECONDS));
  }

  /** The request failed: let a retry do it again. */
  public void forget(String key) {
    ClusterCalls.async(vertx, () -> outcomes.removeAsync(key));
  }
}
