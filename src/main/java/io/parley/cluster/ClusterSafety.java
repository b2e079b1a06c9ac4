package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * Whether every partition of the cluster has its backup, so that one more member may go without losing data
 * (Hazelcast's {@code PartitionService.isClusterSafe}). A cluster of one member is safe: it has nothing to back up
 * onto. Hazelcast answers by asking every member, which blocks and, in a minority, waits on members it cannot
 * reach: it is asked on a worker, one question at a time (callers meanwhile share it), bounded by a timeout, and
 * not at all in a minority (which is not safe).
 */
public final class ClusterSafety {

  static final long CHECK_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final ClusterQuorum quorum;
  private Future<Boolean> inFlight;
  private volatile boolean seenSafe;

  public ClusterSafety(Vertx vertx, HazelcastInstance hazelcast, ClusterQuorum quorum) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.quorum = quorum;
  }

  public int members() {
    return hazelcast.getCluster().getMembers().size();
  }

  /** Whether the cluster is safe now; false when the question timed out or failed. */
  public synchronized Future<Boolean> safeNow() {
    if (members() <= 1) {
      return remember(Future.succeededFuture(true));
    }
    if (!quorum.present()) {
      return Future.succeededFuture(false);
    }
    if (inFlight == null) {
      Future<Boolean> asked = vertx.executeBlocking(() -> hazelcast.getPartitionService().isClusterSafe(), false)
          .timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .otherwise(false);
      inFlight = asked;
      asked.onComplete(r -> {
        synchronized (this) {
          inFlight = null;
        }
      });
    }
    return remember(inFlight);
  }

  private Future<Boolean> remember(Future<Boolean> safe) {
    return safe.onSuccess(s -> {
      if (s) {
        seenSafe = true;
      }
    });
  }

  /**
   * Whether some check since this node started found the cluster safe: once true, it stays true. A new node
   * (a pod replacing another, a restart) is held back by this until every partition has its backup again.
   */
  public Future<Boolean> seenSafeSinceStart() {
    return seenSafe ? Future.succeededFuture(true) : safeNow();
  }
}
