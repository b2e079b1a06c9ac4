package io.parley.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Members that die together may take every copy of some partitions with them. Then presence and the user
 * directory there forget sessions that are still connected (the node sets its own again: {@link MergeRepair}),
 * and with no store the streams there begin new epochs (PROTOCOL.md 1.1: the node's rooms and sessions look).
 * Hazelcast's partition-lost events are not enough: when members die while backups are being promoted it may
 * hand partitions on empty without one. So any member leaving counts, and many events are taken together, once
 * the cluster had a moment to settle: one crash costs one pass.
 */
public final class MemberLossCheck {

  static final long SETTLE_MS = 1000;

  private final Vertx vertx;
  private final List<Runnable> checks;
  private final AtomicBoolean scheduled = new AtomicBoolean();

  private MemberLossCheck(Vertx vertx, List<Runnable> checks) {
    this.vertx = vertx;
    this.checks = checks;
  }

  /** Runs {@code checks} after members left or partitions were lost (events come on Hazelcast's threads). */
  public static void install(HazelcastInstance hazelcast, Vertx vertx, List<Runnable> checks) {
    MemberLossCheck check = new MemberLossCheck(vertx, checks);
    hazelcast.getPartitionService().addPartitionLostListener(event -> check.request());
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        check.request();
      }
    });
  }

  private void request() {
    if (scheduled.compareAndSet(false, true)) {
      vertx.setTimer(SETTLE_MS, t -> {
        scheduled.set(false);
        checks.forEach(Runnable::run);
      });
    }
  }
}
