package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * Room history and sequence numbers: one {@link RoomLog} per room in a cluster map (one synchronous backup),
 * changed and read by entry processors on the room's partition. Every node reads the same entry, so any node can
 * serve history and recovery for any room.
 *
 * <p>A room keeps at most {@code history.size} messages, none stored longer ago than {@code history.ttlMs}
 * (0: kept until overwritten). Expired messages are left out of every read at once and their memory is freed by
 * {@link HistoryExpiry}; the room's seq is kept, so it goes on from where it was. A room that never had a message
 * has no entry: joining, recovering and reading it store nothing.
 */
public final class RoomHistory {

  public static final String MAP_NAME = "parley.history";

  private final Vertx vertx;
  private final int capacity;
  private final long ttlMs;
  private final IMap<String, RoomLog> logs;

  public RoomHistory(HazelcastInstance hazelcast, Vertx vertx, ParleyConfig.History config) {
    this.vertx = vertx;
    this.capacity = config.size();
    this.ttlMs = config.ttlMs();
    this.logs = hazelcast.getMap(MAP_NAME);
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Stores a message (already encoded, see {@code Frames.storedMessage}); completes with its seq once stored.
   * If the partition owner died during the write, whether it was stored is unknown: the room's new owner (the
   * promoted backup, which holds every write the old one had replicated) is searched for this exact encoding
   * (its {@code ts} makes it unique in practice). Found, that is its seq; not found, it was not stored and is
   * written again, once. So a publish that meets a node's death is neither lost nor stored twice.
   */
  public Future<Long> append(String room, String stored) {
    return appendOnce(room, stored)
        .recover(failure -> ClusterFailures.isIndeterminate(failure)
            ? ClusterCalls.async(vertx, () -> logs.submitToKey(room, new HistoryProcessors.Find(stored)))
                .compose(seq -> seq > 0 ? Future.succeededFuture(seq) : appendOnce(room, stored))
            : Future.failedFuture(failure));
  }

  private Future<Long> appendOnce(String room, String stored) {
    long now = System.currentTimeMillis();
    return ClusterCalls.async(vertx,
        () -> logs.submitToKey(room, new HistoryProcessors.Append(stored, now, capacity, cutoff(now))));
  }

  /** The newest seq of the room, 0 if it never had a message. */
  public Future<Long> latestSeq(String room) {
    return ClusterCalls.async(vertx, () -> logs.submitToKey(room, new HistoryProcessors.Latest()));
  }

  /**
   * Messages after {@code since} (oldest first, at most {@code limit}), or with {@code since < 0} the newest
   * {@code limit} messages. {@link HistoryPage#complete()} is false when messages the client asked for
   * were already overwritten or expired (or the client claims a seq the room never reached).
   */
  public Future<HistoryPage> read(String room, long since, int limit) {
    long cutoff = cutoff(System.currentTimeMillis());
    return ClusterCalls.async(vertx, () -> logs.submitToKey(room, new HistoryProcessors.Read(since, limit, cutoff)))
        .map(slice -> page(room, slice));
  }

  /** Messages with {@code from <= seq <= to}, for filling a gap in live delivery. */
  public Future<HistoryPage> range(String room, long from, long to) {
    return read(room, from - 1, (int) Math.min(Integer.MAX_VALUE, to - from + 1));
  }

  /** Messages stored before this time have expired ({@code Long.MIN_VALUE} when they never do). */
  long cutoff(long now) {
    return ttlMs == 0 ? Long.MIN_VALUE : now - ttlMs;
  }

  long ttlMs() {
    return ttlMs;
  }

  IMap<String, RoomLog> logs() {
    return logs;
  }

  private static HistoryPage page(String room, RoomLog.LogSlice slice) {
    List<HistoryEntry> entries = new ArrayList<>(slice.messages().size());
    for (int i = 0; i < slice.messages().size(); i++) {
      entries.add(new HistoryEntry(room, slice.firstSeq() + i, slice.messages().get(i)));
    }
    return new HistoryPage(entries, slice.latest(), slice.complete());
  }
}
