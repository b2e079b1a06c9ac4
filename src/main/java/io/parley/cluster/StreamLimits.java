package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What bounds the streams the cluster's memory holds (PROTOCOL.md errors {@code forbidden}, {@code too_large}):
 * {@code limits.maxRooms} room streams and {@code limits.maxStreams} streams of rooms and users, cluster-wide;
 * {@code limits.streamsPerUser} new streams one user may make per window, cluster-wide; and the bytes one
 * message may take in a room's or a user's stream. Each refusal is counted ({@code parley_limits_refused_total}).
 *
 * <p>Only a stream that does not exist yet is ever asked about ({@link StreamTier.Gate}): a write to one that
 * exists costs nothing here. The counts are approximate so that this costs no cluster call either: each node counts
 * the maps every {@link #CENSUS_INTERVAL_MS} and adds the streams it made itself since, so the cluster may pass a
 * limit by what the other nodes make within one interval. A node errs high, never low, about its own: a stream it
 * makes while a count runs may be counted twice until the next count. The per-user window is exact: a claim in a
 * cluster map, made only when a user is about to make a new stream.
 */
public final class StreamLimits {

  static final String CREATIONS_MAP = "parley.creations";
  /** How often each node counts the streams held in the cluster. */
  static final long CENSUS_INTERVAL_MS = 1000;
  private static final Logger log = LoggerFactory.getLogger(StreamLimits.class);

  private final ParleyConfig.MemoryLimits limits;
  private final IMap<String, StreamLog> rooms;
  private final IMap<String, StreamLog> users;
  private final IMap<String, CreationWindow> creations;
  private final Vertx vertx;
  private final ParleyMetrics metrics;
  private volatile long roomsCounted;
  private volatile long usersCounted;
  private final AtomicLong roomsMadeSince = new AtomicLong();
  private final AtomicLong usersMadeSince = new AtomicLong();
  private final AtomicBoolean counting = new AtomicBoolean();

  public StreamLimits(HazelcastInstance hazelcast, Vertx vertx, ParleyConfig.MemoryLimits limits,
                      ParleyMetrics metrics) {
    this.limits = limits;
    this.rooms = hazelcast.getMap(RoomHistory.MAP_NAME);
    this.users = hazelcast.getMap(UserStreams.MAP_NAME);
    this.creations = hazelcast.getMap(CREATIONS_MAP);
    this.vertx = vertx;
    this.metrics = metrics;
    metrics.streams(this::roomsHeld, this::usersHeld);
  }

  /** Counts the cluster's streams now and every {@link #CENSUS_INTERVAL_MS}. */
  public Future<Void> start() {
    vertx.setPeriodic(CENSUS_INTERVAL_MS, id -> count());
    return count();
  }

  /**
   * One count of both maps ({@code IMap.size}: one call per member, off the event loop). Streams this node made
   * while it ran are counted by it or by the next one, never dropped: only those made before it began are taken
   * off the node's own tally.
   */
  private Future<Void> count() {
    if (!counting.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    long roomsBefore = roomsMadeSince.get();
    long usersBefore = usersMadeSince.get();
    return vertx.executeBlocking(() -> new long[]{rooms.size(), users.size()}, false)
        .onSuccess(counted -> {
          roomsCounted = counted[0];
          usersCounted = counted[1];
          roomsMadeSince.addAndGet(-roomsBefore);
          usersMadeSince.addAndGet(-usersBefore);
        })
        .onFailure(e -> log.atDebug().setMessage("event=stream_census_failed").addKeyValue("error", e.toString()).log())
        .onComplete(r -> counting.set(false))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** Room streams in the cluster's memory, as last counted plus those this node made since. */
  public long roomsHeld() {
    return roomsCounted + roomsMadeSince.get();
  }

  /** User streams in the cluster's memory, as last counted plus those this node made since. */
  public long usersHeld() {
    return usersCounted + usersMadeSince.get();
  }

  /** Who may make a room: {@code creator}'s window counts it (null: the server API, which has none). */
  public StreamTier.Gate room(String creator) {
    return gate(true, creator);
  }

  /** Who may make another user's stream by writing to it first: the sender, {@code creator} (null: the API). */
  public StreamTier.Gate userStream(String creator) {
    return gate(false, creator);
  }

  private StreamTier.Gate gate(boolean room, String creator) {
    return new StreamTier.Gate() {
      @Override
      public Future<Void> admit() {
        if (room && limits.maxRooms() > 0 && roomsHeld() >= limits.maxRooms()) {
          return refuse(ParleyMetrics.LIMIT_ROOMS, ErrorCode.FORBIDDEN, "the cluster holds its limit of "
              + limits.maxRooms() + " rooms (limits.maxRooms): new rooms are refused until quiet ones leave memory");
        }
        if (limits.maxStreams() > 0 && roomsHeld() + usersHeld() >= limits.maxStreams()) {
          return refuse(ParleyMetrics.LIMIT_STREAMS, ErrorCode.FORBIDDEN, "the cluster holds its limit of "
              + limits.maxStreams() + " streams of rooms and users (limits.maxStreams): "
              + (room ? "new rooms" : "messages to users with no stream") + " are refused until quiet ones leave memory");
        }
        if (creator == null || limits.streamsPerUser() == 0) {
          return Future.succeededFuture();
        }
        long windowMs = limits.streamsPerUserWindowMs();
        return ClusterCalls.async(vertx, () -> creations.submitToKey(creator,
                new Claim(System.currentTimeMillis(), windowMs, limits.streamsPerUser())))
            .compose(claimed -> claimed ? Future.succeededFuture() : refuse(ParleyMetrics.LIMIT_STREAMS_PER_USER,
                ErrorCode.FORBIDDEN, "user " + creator + " made its limit of " + limits.streamsPerUser()
                    + " new streams (rooms, and streams of users not written to before) within "
                    + windowMs / 1000 + " s (limits.streamsPerUser): try again later"));
      }

      @Override
      public void made() {
        (room ? roomsMadeSince : usersMadeSince).incrementAndGet();
      }
    };
  }

  /** A room message (as stored) larger than a room's kept bytes may hold alone: {@code too_large}. */
  public Future<Void> checkRoomMessage(String stored) {
    return checkSize(stored, limits.maxRoomBytes(), ParleyMetrics.LIMIT_ROOM_BYTES, "a room");
  }

  /** A private message (as stored) larger than a user's stream may hold alone: {@code too_large}. */
  public Future<Void> checkPrivateMessage(String stored) {
    return checkSize(stored, limits.maxUserStreamBytes(), ParleyMetrics.LIMIT_USER_STREAM_BYTES, "a user's stream");
  }

  private Future<Void> checkSize(String stored, int maxBytes, String limit, String where) {
    if (maxBytes == 0 || stored.length() <= maxBytes / 3) {
      return Future.succeededFuture(); // a char takes at most 3 bytes (a surrogate pair 4): no need to count
    }
    int bytes = StreamLog.utf8Bytes(stored);
    return bytes <= maxBytes ? Future.succeededFuture() : refuse(limit, ErrorCode.TOO_LARGE,
        "the message takes " + bytes + " bytes as stored (with from and ts), more than " + where + " keeps ("
            + maxBytes + " bytes, limits." + limit + ")");
  }

  private Future<Void> refuse(String limit, ErrorCode code, String message) {
    metrics.limitRefused(limit);
    return Future.failedFuture(new ProtocolException(code, message));
  }

  /** One user's new streams in the current window (fixed windows, from its first stream). */
  record CreationWindow(long startMs, int made) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
  }

  /**
   * Takes one of the user's {@code max} new streams of the window of {@code windowMs} that holds {@code now};
   * returns whether there was one left. The entry leaves the map when its window ends.
   */
  record Claim(long now, long windowMs, int max) implements EntryProcessor<String, CreationWindow, Boolean> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, CreationWindow> entry) {
      CreationWindow window = entry.getValue();
      if (window == null || now >= window.startMs() + windowMs) {
        window = new CreationWindow(now, 0);
      }
      if (window.made() >= max) {
        return false;
      }
      CreationWindow claimed = new CreationWindow(window.startMs(), window.made() + 1);
      long ttlMs = Math.max(1, claimed.startMs() + windowMs - now);
      ((ExtendedMapEntry<String, CreationWindow>) entry).setValue(claimed, ttlMs, TimeUnit.MILLISECONDS);
      return true;
    }
  }
}
