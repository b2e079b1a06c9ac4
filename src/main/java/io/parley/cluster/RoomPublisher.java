package io.parley.cluster;

import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.Frames;
import io.vertx.core.Future;

/**
 * Publishes a room message, for clients and for the server API alike: stores it (which gives its seq), then
 * hands the encoded frame to every node with members in the room. Completes with the seq once stored (in the
 * store too, where there is one).
 */
public final class RoomPublisher {

  private final RoomHistory history;
  private final RoomBus bus;
  private final ParleyMetrics metrics;

  public RoomPublisher(RoomHistory history, RoomBus bus, ParleyMetrics metrics) {
    this.history = history;
    this.bus = bus;
    this.metrics = metrics;
  }

  public Future<Long> publish(String room, String from, Object body) {
    long start = System.nanoTime();
    String stored = Frames.storedMessage(from, body, System.currentTimeMillis());
    return history.append(room, stored).map(position -> {
      bus.publishMessage(room, position, Frames.roomMessage(room, position.seq(), stored));
      metrics.published(start);
      return position.seq();
    });
  }
}
