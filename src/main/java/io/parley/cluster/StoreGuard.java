package io.parley.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.parley.store.StoreKinds;
import io.parley.store.StreamStore;

/**
 * Refuses a cluster whose members would not see the same streams: an embedded store holds only its own node's
 * writes, so a node with one must be alone; and every member must name the same store (or all none), or two
 * nodes would give out seqs from two different pasts.
 */
public final class StoreGuard {

  static final String ATTRIBUTE = "parley.store";

  private StoreGuard() {
  }

  static String describe(StreamStore store) {
    return store.kind() + (store.epoch() == null ? "" : ":" + store.epoch());
  }

  /** Throws, saying why, when this node must not serve in the cluster it joined. */
  public static void check(HazelcastInstance hazelcast, StreamStore store) {
    String mine = describe(store);
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (member.localMember()) {
        continue;
      }
      if (store.kind().equals(StoreKinds.EMBEDDED)) {
        throw new IllegalStateException("store.kind=embedded keeps streams on this node's disk only, but the"
            + " cluster has other members (" + member.getAddress() + "): run one node, or use store.kind=postgres"
            + " (or memory) on every node");
      }
      String theirs = member.getAttribute(ATTRIBUTE);
      if (!mine.equals(theirs)) {
        throw new IllegalStateException("member " + member.getAddress() + " uses store " + theirs
            + " but this node uses " + mine + ": every node of a cluster must use the same store (same"
            + " store.kind, and for postgres the same database)");
      }
    }
  }
}
