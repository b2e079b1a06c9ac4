package io.parley.transport;

import io.parley.cluster.ClusterQuorum;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the node is in its life: {@code /ready} answers 200 only when {@link Phase#READY} and, where the cluster
 * requires a quorum, while this node has it (a node in a minority serves nothing stored in the cluster).
 */
public final class NodeState {

  public enum Phase { STARTING, READY, DRAINING }

  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
  /** The node's open client connections (TCP), shared by its gateways. */
  private final ConnectionCounts connections = new ConnectionCounts();
  private volatile ClusterQuorum quorum;

  public Phase phase() {
    return phase.get();
  }

  public void ready() {
    phase.compareAndSet(Phase.STARTING, Phase.READY);
  }

  public void draining() {
    phase.set(Phase.DRAINING);
  }

  public void quorum(ClusterQuorum quorum) {
    this.quorum = quorum;
  }

  /** Null while the node has its quorum (or needs none); otherwise why it cannot serve. */
  public String minorityReason() {
    ClusterQuorum current = quorum;
    return current == null || current.present() ? null : current.reason();
  }

  ConnectionCounts connectionCounts() {
    return connections;
  }

  public boolean acceptsConnections() {
    return phase.get() == Phase.READY;
  }
}
