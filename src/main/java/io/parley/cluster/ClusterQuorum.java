package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.splitbrainprotection.SplitBrainProtection;

/**
 * Whether this node sees enough members to serve cluster data ({@code cluster.minimumMembers}): false in the
 * minority after a network split, and on a node that is still alone at start. Hazelcast re-evaluates it every
 * heartbeat; reading it is a volatile read, cheap enough for every scrape and probe.
 */
public final class ClusterQuorum {

  private final SplitBrainProtection protection;
  private final int minimumMembers;

  private ClusterQuorum(SplitBrainProtection protection, int minimumMembers) {
    this.protection = protection;
    this.minimumMembers = minimumMembers;
  }

  /** The quorum of {@code hazelcast}, configured by {@link ClusterSetup}; always present when there is none. */
  public static ClusterQuorum of(HazelcastInstance hazelcast, int minimumMembers) {
    if (minimumMembers <= 1) {
      return new ClusterQuorum(null, 1);
    }
    return new ClusterQuorum(hazelcast.getSplitBrainProtectionService().getSplitBrainProtection(ClusterSetup.QUORUM),
        minimumMembers);
  }

  public boolean present() {
    return protection == null || protection.hasMinimumSize();
  }

  public int minimumMembers() {
    return minimumMembers;
  }

  /** Why the node does not serve, for {@code /ready} and the logs. */
  public String reason() {
    return "in a minority: fewer than " + minimumMembers + " cluster members answer heartbeats (a network split, or "
        + "the others not started yet); cluster requests get unavailable until the cluster heals";
  }
}
