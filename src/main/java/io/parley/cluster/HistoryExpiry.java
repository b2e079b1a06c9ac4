package io.parley.cluster;

import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Frees the memory of expired room messages ({@code history.ttlMs}). Reads already leave them out; this drops
 * them from the entries this node owns, so a room nobody writes to or reads any more does not hold its last
 * messages for ever. Each node sweeps only its own partitions, so nodes need not agree on who sweeps.
 */
public final class HistoryExpiry {

  private static final Logger log = LoggerFactory.getLogger(HistoryExpiry.class);
  /** Rooms expired per entry-processor call, so one sweep over many rooms does not build one huge reply. */
  private static final int ROOMS_PER_CALL = 10_000;
  private static final long MIN_INTERVAL_MS = 100;
  private static final long MAX_INTERVAL_MS = 60_000;

  private final RoomHistory history;
  private final Vertx vertx;
  private final ParleyMetrics metrics;
  private boolean sweeping;

  public HistoryExpiry(RoomHistory history, Vertx vertx, ParleyMetrics metrics) {
    this.history = history;
    this.vertx = vertx;
    this.metrics = metrics;
  }

  /** Sweeps every tenth of the TTL (between 0.1 s and 60 s): memory is freed at most 10% after expiry. */
  public void start() {
    long ttlMs = history.shortestTtlMs();
    if (ttlMs > 0) {
      long interval = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, ttlMs / 10));
      vertx.setPeriodic(interval, id -> sweepOnce());
    }
  }

  private void sweepOnce() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    sweep().onComplete(done -> sweeping = false)
        .onSuccess(metrics::historyExpired)
        .onFailure(e -> log.atDebug().setMessage("event=history_sweep_failed")
            .addKeyValue("error", e.toString()).log());
  }

  /**
   * Drops the expired messages of the rooms this node owns; completes with how many were dropped. Candidates are
   * the rooms with a message older than the shortest TTL; each is then expired by its own rule's.
   */
  private Future<Integer> sweep() {
    long now = System.currentTimeMillis();
    long candidates = now - history.shortestTtlMs();
    return vertx.executeBlocking(() -> {
      Set<String> rooms = history.logs().localKeySet(new StreamProcessors.StoredBefore(candidates));
      Map<Long, Set<String>> byCutoff = new HashMap<>();
      int dropped = 0;
      for (String room : rooms) {
        long cutoff = history.cutoff(room, now);
        Set<String> batch = byCutoff.computeIfAbsent(cutoff, c -> new HashSet<>());
        batch.add(room);
        if (batch.size() == ROOMS_PER_CALL) {
          dropped += expire(batch, cutoff);
          byCutoff.remove(cutoff);
        }
      }
      for (Map.Entry<Long, Set<String>> batch : byCutoff.entrySet()) {
        dropped += expire(batch.getValue(), batch.getKey());
      }
      return dropped;
    }, false);
  }

  private int expire(Set<String> rooms, long cutoff) {
    return history.logs().executeOnKeys(rooms, new StreamProcessors.Expire(cutoff))
        .values().stream().mapToInt(Integer::intValue).sum();
  }
}
