package io.parley.hub;

import io.parley.config.ParleyConfig;
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
 * least that far apart: a message that comes sooner waits for the room's next turn, and the ones after it join it.
 * A room is busy from its second message within the interval: a message after a quiet spell, and one more close
 * behind it (a reply in a chat, a join and its first message), still go at once, so only a room that keeps
 * publishing faster than the interval waits.
 *
 * <p>Presence pushes have their own, longer interval ({@code fanout.presenceIntervalMs}): one after a quiet spell
 * goes at once, later ones wait for the room's next turn, or ride along with the next message. In a reconnect
 * storm a room's members then get its joins a few at a time instead of one write per join.
 */
final class ShardBatch {

  final LocalRooms shard;
  private final String room;
  private final long messageIntervalNanos;
  private final long presenceIntervalNanos;
  private List<RoomPush> pending = new ArrayList<>();
  /** A delivery is queued on the gateway's loop (at {@link #dueNanos}); it takes whatever is pending by then. */
  private boolean scheduled;
  private long dueNanos;
  /** Bumped when a delivery is moved earlier: the one it replaces finds a newer generation and does nothing. */
  private long generation;
  /** A message is among the pending pushes: a later one does not move the delivery. */
  private boolean messagePending;
  /** When the last batch was taken; the intervals count from it. */
  private long lastTakenNanos;
  /** The message that last set a delivery came within the interval of the batch before: an early one waits. */
  private boolean busy;

  ShardBatch(String room, LocalRooms shard, ParleyConfig.Fanout pacing) {
    this.room = room;
    this.shard = shard;
    this.messageIntervalNanos = TimeUnit.MILLISECONDS.toNanos(pacing.batchIntervalMs());
    this.presenceIntervalNanos = TimeUnit.MILLISECONDS.toNanos(pacing.presenceIntervalMs());
    this.lastTakenNanos = System.nanoTime() - Math.max(messageIntervalNanos, presenceIntervalNanos);
  }

  /** Called on the hub's loop. */
  void add(RoomPush push) {
    long waitNanos;
    long deliveryGeneration;
    synchronized (this) {
      pending.add(push);
      long now = System.nanoTime();
      long due;
      if (push.isEvent()) {
        due = Math.max(now, lastTakenNanos + presenceIntervalNanos);
      } else if (messagePending) {
        return;
      } else {
        messagePending = true;
        due = messageDue(now);
      }
      if (scheduled && dueNanos <= due) {
        return;
      }
      scheduled = true;
      dueNanos = due;
      deliveryGeneration = ++generation;
      waitNanos = due - now;
    }
    ContextInternal context = (ContextInternal) shard.context();
    if (waitNanos <= 0) {
      context.runOnContext(v -> deliver(deliveryGeneration));
    } else {
      context.timer(waitNanos, TimeUnit.NANOSECONDS).onComplete(v -> deliver(deliveryGeneration));
    }
  }

  /** When the first message of the coming batch may go: at once, unless the room is busy. */
  private long messageDue(long now) {
    long turn = lastTakenNanos + messageIntervalNanos;
    boolean early = turn > now;
    boolean wait = early && busy;
    busy = early;
    return wait ? turn : now;
  }

  private void deliver(long deliveryGeneration) {
    List<RoomPush> batch = take(deliveryGeneration);
    if (batch != null) {
      shard.deliver(room, batch);
    }
  }

  /** The pending pushes, or null when this delivery was replaced by an earlier one. */
  private synchronized List<RoomPush> take(long deliveryGeneration) {
    if (!scheduled || deliveryGeneration != generation) {
      return null;
    }
    List<RoomPush> batch = pending;
    pending = new ArrayList<>();
    scheduled = false;
    messagePending = false;
    lastTakenNanos = System.nanoTime();
    return batch;
  }
}
