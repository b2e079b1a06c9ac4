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
  private final StreamLimits limits;

  public RoomPublisher(RoomHistory history, RoomBus bus, ParleyMetrics metrics, StreamLimits limits) {
    this.history = history;
    this.bus = bus;
    this.metrics = metrics;
    this.limits = limits;
  }

  /** From the server API: a room it makes counts against the cluster's limits, in no user's window. */
  public Future<Long> publish(String room, String from, Object body) {
    return publish(room, from, body, null);
  }

  /**
   * A message larger than a room keeps is refused ({@code too_large}); a room with no stream yet is made only if
   * the limits admit it ({@code forbidden}), counted to {@code creator}'s window (null: none).
   */
  public Future<Long> publish(String room, String from, Object body, String creator) {
    long start = System.nanoTime();
    String stored = Frames.storedMessage(from, body, System.currentTimeMillis());
    Future<Void> fits = limits.checkRoomMessage(stored);
    if (fits.failed()) {
      return fits.map(v -> null);
    }
    return history.append(room, stored, limits.room(creator)).map(position -> {
      bus.publishMessage(room, position, Frames.roomMessage(room, position.seq(), stored));
      metrics.published(start);
      return position.seq();
    });
  }
}
