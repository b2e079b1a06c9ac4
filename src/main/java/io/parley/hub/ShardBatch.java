package io.parley.hub;

import java.util.ArrayList;
import java.util.List;

/**
 * One room's pushes on their way from the hub's loop to one gateway's loop. Pushes that pile up while the
 * gateway is busy cross over together, and each member then gets them in one write system call rather than one
 * each: batches grow with load and stay single pushes while the gateway keeps up.
 */
final class ShardBatch {

  final LocalRooms shard;
  private final String room;
  private List<RoomPush> pending = new ArrayList<>();
  /** A delivery task is queued on the gateway's loop; it will take whatever is pending by then. */
  private boolean scheduled;

  ShardBatch(String room, LocalRooms shard) {
    this.room = room;
    this.shard = shard;
  }

  /** Called on the hub's loop. */
  void add(RoomPush push) {
    boolean schedule;
    synchronized (this) {
      pending.add(push);
      schedule = !scheduled;
      scheduled = true;
    }
    if (schedule) {
      shard.context().runOnContext(v -> shard.deliver(room, take()));
    }
  }

  private synchronized List<RoomPush> take() {
    List<RoomPush> batch = pending;
    pending = new ArrayList<>();
    scheduled = false;
    return batch;
  }
}
