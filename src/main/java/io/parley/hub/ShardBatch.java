package io.parley.hub;

import io.vertx.core.internal.ContextInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One room's pushes on their way from the hub's loop to one gateway's loop. Pushes that pile up while the
 * gateway is busy cross over together, and each member then gets them in one write system call rather than one
 * each: batches grow with load and stay single pushes while the gateway keeps up.
 *
 * <p>With a batch interval ({@code fanout.batchIntervalMs}) a busy room's deliveries on this gateway are also at
 * least that far apart: a push that comes sooner waits for the room's next turn, and the ones after it join it.
 * A room is busy from its second push within the interval: a push after a quiet spell, and one more close behind
 * it (a reply in a chat, a join and its first message), still go at once, so only a room that keeps pushing
 * faster than the interval waits.
 */
final class ShardBatch {

  final LocalRooms shard;
  private final String room;
  private final long intervalNanos;
  private List<RoomPush> pending = new ArrayList<>();
  /** A delivery task is queued on the gateway's loop; it will take whatever is pending by then. */
  private boolean scheduled;
  /** When the last batch was taken; a push after {@code intervalNanos} from it goes at once. */
  private long lastTakenNanos;
  /** The push that last scheduled a delivery came within the interval of the batch before: an early one waits. */
  private boolean busy;

  ShardBatch(String room, LocalRooms shard, long intervalMs) {
    this.room = room;
    this.shard = shard;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.lastTakenNanos = System.nanoTime() - intervalNanos;
  }

  /** Called on the hub's loop. */
  void add(RoomPush push) {
    long waitNanos;
    synchronized (this) {
      pending.add(push);
      if (scheduled) {
        return;
      }
      scheduled = true;
      waitNanos = lastTakenNanos + intervalNanos - System.nanoTime();
      boolean early = waitNanos > 0;
      if (early && !busy) {
        waitNanos = 0;
      }
      busy = early;
    }
    ContextInternal context = (ContextInternal) shard.context();
    if (waitNanos <= 0) {
      context.runOnContext(v -> deliver());
    } else {
      context.timer(waitNanos, TimeUnit.NANOSECONDS).onComplete(v -> deliver());
    }
  }

  private void deliver() {
    shard.deliver(room, take());
  }

  private synchronized List<RoomPush> take() {
    List<RoomPush> batch = pending;
    pending = new ArrayList<>();
    scheduled = false;
    lastTakenNanos = System.nanoTime();
    return batch;
  }
}
