package io.parley.hub;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One room's subscription on this node: its event-bus consumer, the gateway shards with members in the room,
 * and the reordering state that turns the bus's arrival order into seq order (two publishers on two nodes
 * may store seq 7 before seq 8 yet have 8 arrive first). Touched only on the hub's event loop.
 */
final class RoomFeed {

  final String room;
  /** Per gateway shard with members in the room, the pushes on their way to it. */
  final List<ShardBatch> shards = new ArrayList<>(4);
  MessageConsumer<String> consumer;
  Future<Void> ready;
  /** The next seq to hand out; 0 until the room's latest seq is known. */
  long nextSeq;
  /** The epoch {@link #nextSeq} counts in. */
  String epoch;
  /** Counts resets: a history read begun before one is ignored. */
  long generation;
  /** Messages that arrived ahead of a missing seq, by seq. */
  final TreeMap<Long, String> ahead = new TreeMap<>();
  long gapTimer = -1;
  /** While set, a big room's user counts wait (the latest in {@link #pendingCount}) for the presence interval. */
  long countTimer = -1;
  String pendingCount;
  /** A read of missing seqs from history is under way: one at a time. */
  boolean fetching;
  /** A message arrived since the hub's last quiet-room sweep. */
  boolean arrivedSinceSweep;
  /** Delivered messages have not been checked against history's tail since they stopped arriving. */
  boolean tailUnchecked;
  /**
   * No message was delivered since the feed started (or was reset): a gap now is most likely a message published
   * before the other nodes saw this node's new subscription, not one overtaken on the bus, so it is read at once.
   */
  boolean awaitingFirst = true;

  RoomFeed(String room) {
    this.room = room;
  }

  boolean started() {
    return nextSeq > 0;
  }
}
