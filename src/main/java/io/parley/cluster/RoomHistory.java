package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import com.hazelcast.ringbuffer.StaleSequenceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Room history and sequence numbers, in one Hazelcast Ringbuffer per room (capacity {@code history.size},
 * one synchronous backup). The ring's sequence gives the room's seq: protocol seq = ring sequence + 1, so the
 * first message is seq 1 and an empty room has seq 0. Every node reads the same ring, so any node can serve
 * history and recovery for any room.
 *
 * <p>A ring holds an array of its full capacity from its first operation on, even a read (4 KB at the default
 * 1,000, and as much again for its backup), and it is never removed. So a ring is created only by a room's
 * first message: {@value #INDEX_NAME} names the rooms that have one, and a room without is read as empty
 * (seq 0) without touching the ring. Rooms that are only joined (presence, private rooms nobody writes in) then
 * cost the cluster nothing once their members leave.
 */
public final class RoomHistory {

  static final String RING_PREFIX = "parley.room.";
  /** Rooms whose ring exists; set before the ring's first message is added. */
  static final String INDEX_NAME = "parley.history.rooms";
  /** Hazelcast refuses to read more than this many items in one call. */
  private static final int MAX_BATCH = 1000;

  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private final int capacity;
  private final IMap<String, Boolean> index;
  /** The rings this node has seen exist (rings are never removed, so this never goes stale). */
  private final ConcurrentHashMap<String, Ringbuffer<String>> rings = new ConcurrentHashMap<>();

  public RoomHistory(HazelcastInstance hazelcast, Vertx vertx, int capacity) {
    this.hazelcast = hazelcast;
    this.vertx = vertx;
    this.capacity = capacity;
    this.index = hazelcast.getMap(INDEX_NAME);
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Stores a message (already encoded, see {@code Frames.storedMessage}); completes with its seq once stored.
   * If the partition owner died during the write, whether it was stored is unknown: the newest messages are
   * searched for this exact encoding (its {@code ts} makes it unique in practice), so the write is neither lost
   * nor stored twice by a retry; not found, it fails and the client may retry.
   */
  public Future<Long> append(String room, String stored) {
    return createdRing(room)
        .compose(ring -> ClusterCalls.async(vertx, () -> ring.addAsync(stored, OverflowPolicy.OVERWRITE)))
        .map(sequence -> sequence + 1)
        .recover(failure -> isIndeterminate(failure)
            ? vertx.executeBlocking(() -> findRecent(room, stored), false)
                .compose(seq -> seq > 0 ? Future.succeededFuture(seq) : Future.failedFuture(failure))
            : Future.failedFuture(failure));
  }

  private static boolean isIndeterminate(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IndeterminateOperationStateException) {
        return true;
      }
    }
    return false;
  }

  /** The seq of {@code stored} among the newest {@link #MAX_BATCH} messages, or 0. */
  private long findRecent(String room, String stored) throws InterruptedException {
    Ringbuffer<String> ring = ring(room);
    long tail = ring.tailSequence();
    long start = Math.max(ring.headSequence(), tail - MAX_BATCH + 1);
    for (HistoryEntry entry : readRange(room, ring, start, tail)) {
      if (entry.stored().equals(stored)) {
        return entry.seq();
      }
    }
    return 0;
  }

  /** The newest seq of the room, 0 if it has no message. */
  public Future<Long> latestSeq(String room) {
    return existingRing(room).compose(ring -> ring == null
        ? Future.succeededFuture(0L)
        : vertx.executeBlocking(() -> ring.tailSequence() + 1, false));
  }

  /**
   * Messages after {@code since} (oldest first, at most {@code limit}), or with {@code since < 0} the newest
   * {@code limit} messages. {@link HistoryPage#complete()} is false when messages the client asked for
   * were already overwritten (or the client claims a seq the room never reached).
   */
  public Future<HistoryPage> read(String room, long since, int limit) {
    return existingRing(room).compose(ring -> ring == null
        ? Future.succeededFuture(new HistoryPage(List.of(), 0, since <= 0))
        : vertx.executeBlocking(() -> readBlocking(room, ring, since, limit), false));
  }

  /** Messages with {@code from <= seq <= to}, for filling a gap in live delivery. */
  public Future<HistoryPage> range(String room, long from, long to) {
    return read(room, from - 1, (int) Math.min(Integer.MAX_VALUE, to - from + 1));
  }

  private HistoryPage readBlocking(String room, Ringbuffer<String> ring, long since, int limit)
      throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      long head = ring.headSequence();
      long tail = ring.tailSequence();
      long latest = tail + 1;
      long start;
      boolean complete;
      if (since < 0) {
        start = Math.max(head, tail - limit + 1);
        complete = true;
      } else {
        complete = since >= head && since <= latest;
        start = Math.max(since, head);
      }
      long end = Math.min(tail, start + limit - 1);
      try {
        return new HistoryPage(readRange(room, ring, start, end), latest, complete && attempt == 0);
      } catch (StaleSequenceException e) {
        // overwritten while we read: start again from the new head, and say something was lost
        if (attempt > 0) {
          throw e;
        }
      }
    }
  }

  private static List<HistoryEntry> readRange(String room, Ringbuffer<String> ring, long start, long end)
      throws InterruptedException {
    List<HistoryEntry> entries = new ArrayList<>((int) Math.max(0, end - start + 1));
    long next = start;
    while (next <= end) {
      int count = (int) Math.min(MAX_BATCH, end - next + 1);
      ReadResultSet<String> batch = await(ring.readManyAsync(next, 0, count, null).toCompletableFuture());
      if (batch.size() == 0) {
        break;
      }
      for (int i = 0; i < batch.size(); i++) {
        entries.add(new HistoryEntry(room, batch.getSequence(i) + 1, batch.get(i)));
      }
      next = batch.getNextSequenceToReadFrom();
    }
    return entries;
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The room's ring, or null where the room has never had a message: then it is not created. */
  private Future<Ringbuffer<String>> existingRing(String room) {
    Ringbuffer<String> known = rings.get(room);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return ClusterCalls.async(vertx, () -> index.getAsync(room))
        .map(exists -> exists == null ? null : ring(room));
  }

  /** The room's ring, entered in the index first so that every node's readers will find it. */
  private Future<Ringbuffer<String>> createdRing(String room) {
    Ringbuffer<String> known = rings.get(room);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return ClusterCalls.async(vertx, () -> index.setAsync(room, Boolean.TRUE)).map(v -> ring(room));
  }

  private Ringbuffer<String> ring(String room) {
    return rings.computeIfAbsent(room, r -> hazelcast.getRingbuffer(RING_PREFIX + r));
  }
}
