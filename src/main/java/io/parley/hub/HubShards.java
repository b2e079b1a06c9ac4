package io.parley.hub;

import io.parley.cluster.StreamPosition;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The node's hub, split by room over several {@link NodeHub}s, each a verticle with a context of its own. Vert.x
 * registers the event-bus consumers that one context creates one after the other, each a blocking Hazelcast write:
 * with a single hub, a reconnect storm's first joins of thousands of rooms queued behind each other for seconds.
 */
public final class HubShards {

  /**
   * Hubs per node, at least. A registration waits on the cluster, not on a core, so more hubs keep more in flight:
   * in the 50,000-connection three-node run, join p99 went from 20 s with one hub to 10.8 s with 4 and 3.7 s
   * with 16. Vert.x runs them on its worker pool (20 threads by default).
   */
  public static final int COUNT = 16;

  private final List<NodeHub> hubs;

  /** {@code count} hubs, not running until {@link #deploy}. */
  public HubShards(int count, Supplier<NodeHub> factory) {
    this.hubs = Stream.generate(factory).limit(count).toList();
  }

  /** Deploys the hubs (Vert.x spreads them over its event loops); completes once all of them run. */
  public Future<Void> deploy(Vertx vertx) {
    Iterator<NodeHub> next = hubs.iterator();
    return vertx.deployVerticle(next::next, new DeploymentOptions().setInstances(hubs.size())).mapEmpty();
  }

  Future<StreamPosition> attach(String room, LocalRooms shard) {
    return hubFor(room).attach(room, shard);
  }

  void detach(String room, LocalRooms shard) {
    hubFor(room).detach(room, shard);
  }

  /** Some streams may have begun anew (see {@link NodeHub#checkEpochs}). */
  public void checkEpochs() {
    hubs.forEach(NodeHub::checkEpochs);
  }

  /** Rooms with local members; safe to read from any thread. */
  public int rooms() {
    return hubs.stream().mapToInt(NodeHub::rooms).sum();
  }

  /** A room always goes to the same hub: its seq order and its one consumer live there. */
  private NodeHub hubFor(String room) {
    return hubs.get(Math.floorMod(room.hashCode(), hubs.size()));
  }
}
