package io.parley.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Tells the cluster-wide indexes (presence, user directory) when a member leaves or dies, by parley node id. */
public final class DepartureWatcher {

  private final HazelcastInstance hazelcast;
  private final List<Consumer<String>> cleaners = new CopyOnWriteArrayList<>();
  private final UUID listenerId;

  public DepartureWatcher(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.listenerId = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String departed = ClusterSetup.nodeIdOf(event.getMember());
        cleaners.forEach(cleaner -> cleaner.accept(departed));
      }
    });
  }

  public DepartureWatcher onDeparture(Consumer<String> cleaner) {
    cleaners.add(cleaner);
    return this;
  }

  /** Before this node leaves: it has nothing left to clean up for others. */
  public void stop() {
    hazelcast.getCluster().removeMembershipListener(listenerId);
  }
}
