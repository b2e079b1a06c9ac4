package io.parley.transport;

import java.util.concurrent.atomic.AtomicReference;

/** Where the node is in its life: {@code /ready} answers 200 only when {@link Phase#READY}. */
public final class NodeState {

  public enum Phase { STARTING, READY, DRAINING }

  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);

  public Phase phase() {
    return phase.get();
  }

  public void ready() {
    phase.compareAndSet(Phase.STARTING, Phase.READY);
  }

  public void draining() {
    phase.set(Phase.DRAINING);
  }

  public boolean acceptsConnections() {
    return phase.get() == Phase.READY;
  }
}
