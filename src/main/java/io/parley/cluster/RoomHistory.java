package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.config.ParleyConfig;
import io.parley.config.ParleyConfig.RoomRule;
import io.parley.store.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * Room history and sequence numbers: one {@link StreamLog} per room in a cluster map (one synchronous backup),
 * changed and read by entry processors on the room's partition, and with a store configured every message in
 * the store too ({@link StreamTier}). Every node reads the same entry, so any node can serve history and recovery
 * for any room.
 *
 * <p>Each room follows the first rule of {@code history.rooms} its name matches (else {@code history.size} and
 * {@code history.ttlMs}). Expired messages are left out of every read at once and their memory is freed by
 * {@link HistoryExpiry}; the room's seq is kept, so it goes on from where it was.
 */
public final class RoomHistory {

  public static final String MAP_NAME = "parley.history";
  /** Rooms' keys in the store. */
  static final String STORE_PREFIX = "room:";

  private final ParleyConfig.History config;
  private final int memoryMessages;
  /** {@code limits.maxRoomBytes}: the most bytes one room's kept messages hold (0: no limit). */
  private final long maxBytes;
  private final StreamTier tier;

  public RoomHistory(HazelcastInstance hazelcast, Vertx vertx, ParleyConfig.History config, StreamStore store,
                     int memoryMessages) {
    this(hazelcast, vertx, config, store, memoryMessages, 0);
  }

  public RoomHistory(HazelcastInstance hazelcast, Vertx vertx, ParleyConfig.History config, StreamStore store,
                     int memoryMessages, long maxBytes) {
    this.config = config;
    this.maxBytes = maxBytes;
    this.memoryMessages = StreamTier.memoryMessages(store, memoryMessages);
    IMap<String, StreamLog> logs = hazelcast.getMap(MAP_NAME);
    this.tier = new StreamTier(logs, store, vertx, STORE_PREFIX);
  }

  /** The most messages a read of this room can return. */
  public int capacity(String room) {
    return Math.max(1, config.ruleFor(room).kept());
  }

  /** Whether members of the room get presence join/leave pushes. */
  public boolean presencePushes(String room) {
    return config.ruleFor(room).presence();
  }

  /**
   * Stores a message (already encoded, see {@code Frames.storedMessage}); completes with its position once stored.
   * A room that has no stream yet is made only if {@code gate} admits it ({@link StreamLimits#room}).
   */
  public Future<StreamPosition> append(String room, String stored, StreamTier.Gate gate) {
    return tier.append(room, stored, System.currentTimeMillis(), retention(room), null, gate);
  }

  /** As above, the room made whatever the limits say (tests and tools that write history directly). */
  public Future<StreamPosition> append(String room, String stored) {
    return append(room, stored, null);
  }

  /** The room's position, its stream made first if {@code gate} admits it when it has none (a join). */
  public Future<StreamPosition> open(String room, StreamTier.Gate gate) {
    return tier.open(room, retention(room), gate);
  }

  /** The room's newest seq (0 if it never had a message) and epoch; made, in a new epoch, if it has no stream. */
  public Future<StreamPosition> position(String room) {
    return tier.position(room, retention(room));
  }

  /**
   * Messages after {@code since} (oldest first, at most {@code limit}), or with {@code since < 0} the newest
   * {@code limit} messages. {@link HistoryPage#complete()} is false when messages the client asked for
   * were already overwritten or expired (or the client claims a seq the room never reached).
   */
  public Future<HistoryPage> read(String room, long since, int limit) {
    return tier.read(room, since, limit, retention(room)).map(page -> page(room, page));
  }

  /** Messages with {@code from <= seq <= to}, for filling a gap in live delivery. */
  public Future<HistoryPage> range(String room, long from, long to) {
    return read(room, from - 1, (int) Math.min(Integer.MAX_VALUE, to - from + 1));
  }

  private StreamTier.Retention retention(String room) {
    RoomRule rule = config.ruleFor(room);
    return new StreamTier.Retention(rule.size(), rule.ttlMs(), rule.store(), memoryMessages, maxBytes);
  }

  /** The shortest time any room keeps messages (0 when none expires by time), for the memory sweep's pace. */
  long shortestTtlMs() {
    long shortest = config.ttlMs();
    for (RoomRule rule : config.rooms()) {
      if (rule.ttlMs() > 0 && (shortest == 0 || rule.ttlMs() < shortest)) {
        shortest = rule.ttlMs();
      }
    }
    return shortest;
  }

  /** The rule's {@code ttlMs} of a room: how long it keeps a message (0: until overwritten). */
  long ttlMs(String room) {
    return config.ruleFor(room).ttlMs();
  }

  /** Messages of {@code room} stored before this time have expired ({@code Long.MIN_VALUE}: never). */
  long cutoff(String room, long now) {
    return retention(room).cutoff(now);
  }

  IMap<String, StreamLog> logs() {
    return tier.logs();
  }

  private static HistoryPage page(String room, StreamTier.StreamPage page) {
    List<HistoryEntry> entries = new ArrayList<>(page.messages().size());
    for (int i = 0; i < page.messages().size(); i++) {
      entries.add(new HistoryEntry(room, page.seqs().get(i), page.messages().get(i)));
    }
    return new HistoryPage(entries, page.latest(), page.complete(), page.epoch());
  }
}
