package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Without a store ({@code store.kind} memory), takes out of the cluster's memory every stream whose retention is
 * over: neither made nor written for its {@code ttlMs} (so every message it kept has expired), with nobody in it (a
 * room with no presence, a user with no session). A quiet room or a made-up user then costs nothing, and the room
 * limits count it no more. With a store, Hazelcast's idle eviction does this ({@code store.idleEvictMs}) and the
 * store keeps the stream's position.
 *
 * <p>Without a store the position goes with the entry: a stream made again begins in a new epoch at seq 0, and a
 * client holding the old position gets {@code recovered:false} (PROTOCOL.md 1.1), with nothing lost that was
 * still kept. Rooms that keep messages for ever ({@code ttlMs} 0) stay. Each node sweeps the entries it owns.
 */
public final class StreamEviction {

  private static final Logger log = LoggerFactory.getLogger(StreamEviction.class);
  /** Streams evicted per entry-processor call. */
  private static final int PER_CALL = 10_000;
  private static final long MIN_INTERVAL_MS = 100;
  private static final long MAX_INTERVAL_MS = 60_000;

  private final RoomHistory history;
  private final UserStreams userStreams;
  private final IMap<String, StreamLog> rooms;
  private final IMap<String, StreamLog> users;
  private final IMap<String, ?> presence;
  private final IMap<String, ?> sessions;
  private final Vertx vertx;
  private final ParleyMetrics metrics;
  private boolean sweeping;

  public StreamEviction(HazelcastInstance hazelcast, Vertx vertx, RoomHistory history, UserStreams userStreams,
                        ParleyMetrics metrics) {
    this.history = history;
    this.userStreams = userStreams;
    this.rooms = hazelcast.getMap(RoomHistory.MAP_NAME);
    this.users = hazelcast.getMap(UserStreams.MAP_NAME);
    this.presence = hazelcast.getMap(Presence.MAP_NAME);
    this.sessions = hazelcast.getMap(UserDirectory.MAP_NAME);
    this.vertx = vertx;
    this.metrics = metrics;
  }

  /** Sweeps every tenth of the shortest retention (between 0.1 s and 60 s). */
  public void start() {
    long shortest = userStreams.ttlMs();
    long rooms = history.shortestTtlMs();
    if (rooms > 0) {
      shortest = Math.min(shortest, rooms);
    }
    long interval = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, shortest / 10));
    vertx.setPeriodic(interval, id -> sweepOnce());
  }

  private void sweepOnce() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    vertx.executeBlocking(this::sweep, false)
        .onComplete(done -> sweeping = false)
        .onFailure(e -> log.atDebug().setMessage("event=stream_eviction_failed")
            .addKeyValue("error", e.toString()).log());
  }

  private Void sweep() {
    long now = System.currentTimeMillis();
    long roomsTtl = history.shortestTtlMs();
    if (roomsTtl > 0) {
      int evicted = evict(rooms, presence, now - roomsTtl, room -> history.ttlMs(room), now);
      metrics.streamsEvicted("room", evicted);
    }
    int evicted = evict(users, sessions, now - userStreams.ttlMs(), user -> userStreams.ttlMs(), now);
    metrics.streamsEvicted("user", evicted);
    return null;
  }

  /**
   * Evicts this node's streams untouched since their own cutoff ({@code ttlMs} of each, 0: kept) and without an
   * entry in {@code occupants}; candidates are those untouched since {@code candidates}, the shortest retention's.
   * A member joining meanwhile finds the stream made again (the hub reads it), in a new epoch.
   */
  private int evict(IMap<String, StreamLog> logs, IMap<String, ?> occupants, long candidates,
                    ToLongFunction<String> ttlMs, long now) {
    Set<String> quiet = logs.localKeySet(new StreamProcessors.UntouchedSince(candidates));
    if (quiet.isEmpty()) {
      return 0;
    }
    // same key, same partition: these reads stay on this member, and bring back no values
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map<String, Boolean> present = ((IMap) occupants).executeOnKeys(quiet, new Present());
    Set<String> occupied = new HashSet<>();
    present.forEach((key, here) -> {
      if (here) {
        occupied.add(key);
      }
    });
    Map<Long, Set<String>> byCutoff = new HashMap<>();
    int evicted = 0;
    for (String key : quiet) {
      long ttl = ttlMs.applyAsLong(key);
      if (ttl == 0 || occupied.contains(key)) {
        continue;
      }
      long cutoff = now - ttl;
      Set<String> batch = byCutoff.computeIfAbsent(cutoff, c -> new HashSet<>());
      batch.add(key);
      if (batch.size() == PER_CALL) {
        evicted += evictBatch(logs, batch, cutoff);
        byCutoff.remove(cutoff);
      }
    }
    for (Map.Entry<Long, Set<String>> batch : byCutoff.entrySet()) {
      evicted += evictBatch(logs, batch.getValue(), batch.getKey());
    }
    return evicted;
  }

  /** Whether the key has an entry: a room someone is in, a user with a session. */
  record Present() implements com.hazelcast.map.EntryProcessor<String, Object, Boolean>, com.hazelcast.core.ReadOnly {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, Object> entry) {
      return entry.getValue() != null;
    }
  }

  private static int evictBatch(IMap<String, StreamLog> logs, Set<String> keys, long cutoff) {
    return (int) logs.executeOnKeys(keys, new StreamProcessors.Evict(cutoff)).values().stream()
        .filter(Boolean::booleanValue).count();
  }
}
