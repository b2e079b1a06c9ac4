package io.parley.hub;

import io.parley.cluster.HistoryEntry;
import io.parley.cluster.HistoryPage;
import io.parley.cluster.RoomBus;
import io.parley.cluster.RoomHistory;
import io.parley.cluster.StreamPosition;
import io.parley.protocol.Frames;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A share of this node's rooms (see {@link HubShards}): one event-bus consumer per room with local members (not
 * one per connection), whatever the number of gateways. A message arriving for a room is put in seq order and
 * handed to each gateway shard with members in it, which writes the same encoded frame to its sessions. Runs on
 * its own event loop; every field is touched only there.
 */
public final class NodeHub extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(NodeHub.class);
  /** How long a missing seq may hold back later ones before it is fetched from history. */
  static final long GAP_WAIT_MS = 200;
  /** Beyond this many held-back messages, fetch the gap at once rather than wait. */
  static final int MAX_AHEAD = 10_000;
  /**
   * How often quiet rooms are checked against history. A gap is normally seen when a later message arrives;
   * this catches the last messages of a burst that never arrived (a publisher's node may not yet know of a
   * subscription just made here, or a bus connection dropped), with one history read per burst, not per message.
   */
  static final long TAIL_CHECK_MS = 500;

  private final RoomHistory history;
  private final ParleyMetrics metrics;
  /** {@code fanout.*}: how far apart a busy room's deliveries on one gateway are. */
  private final ParleyConfig.Fanout pacing;
  private final Map<String, RoomFeed> feeds = new HashMap<>();
  private final AtomicInteger roomCount = new AtomicInteger();

  public NodeHub(RoomHistory history, ParleyMetrics metrics, ParleyConfig.Fanout pacing) {
    this.history = history;
    this.metrics = metrics;
    this.pacing = pacing;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(TAIL_CHECK_MS, id -> checkQuietTails());
    return Future.succeededFuture();
  }

  /** Rooms with local members; safe to read from any thread. */
  public int rooms() {
    return roomCount.get();
  }

  /**
   * Adds a shard to a room's feed, subscribing the node to the room if it is the first. Completes (on the hub's
   * loop) once the node receives the room's messages, with the last seq handed out before the shard joined (and
   * its epoch): every later one reaches it.
   */
  Future<StreamPosition> attach(String room, LocalRooms shard) {
    return onHub(() -> {
      RoomFeed feed = feeds.get(room);
      if (feed == null) {
        feed = new RoomFeed(room);
        feeds.put(room, feed);
        roomCount.set(feeds.size());
        feed.ready = subscribe(feed);
      }
      feed.shards.add(new ShardBatch(room, shard, pacing));
      RoomFeed attached = feed;
      return feed.ready.map(v -> new StreamPosition(attached.nextSeq - 1, attached.epoch));
    });
  }

  /** Removes a shard; the last one out unsubscribes the node from the room. */
  void detach(String room, LocalRooms shard) {
    context.runOnContext(v -> {
      RoomFeed feed = feeds.get(room);
      if (feed == null || !feed.shards.removeIf(batch -> batch.shard == shard) || !feed.shards.isEmpty()) {
        return;
      }
      feeds.remove(room);
      roomCount.set(feeds.size());
      vertx.cancelTimer(feed.gapTimer);
      vertx.cancelTimer(feed.countTimer);
      feed.consumer.unregister();
    });
  }

  private Future<Void> subscribe(RoomFeed feed) {
    feed.consumer = vertx.eventBus().consumer(RoomBus.address(feed.room), message -> onMessage(feed, message));
    return feed.consumer.completion()
        .compose(v -> history.position(feed.room))
        .map(position -> {
          start(feed, position);
          return null;
        });
  }

  /** Everything up to {@code position} is history; live delivery starts right after it. */
  private void start(RoomFeed feed, StreamPosition position) {
    feed.epoch = position.epoch();
    feed.nextSeq = position.seq() + 1;
    feed.ahead.headMap(feed.nextSeq).clear();
    feed.tailUnchecked = true;
    drainInOrder(feed);
  }

  /** Rooms whose messages stopped arriving since the last sweep: does history hold more than we delivered? */
  private void checkQuietTails() {
    for (RoomFeed feed : feeds.values()) {
      if (feed.arrivedSinceSweep) {
        feed.arrivedSinceSweep = false;
        feed.tailUnchecked = true;
      } else if (feed.tailUnchecked && feed.started() && !feed.fetching) {
        feed.tailUnchecked = false;
        checkTail(feed);
      }
    }
  }

  private void checkTail(RoomFeed feed) {
    // a failed read (the cluster re-forming after a crash) is tried again at the next sweep
    history.position(feed.room).onFailure(e -> feed.tailUnchecked = true).onSuccess(position -> {
      if (feeds.get(feed.room) != feed || !feed.started()) {
        return;
      }
      if (!position.epoch().equals(feed.epoch)) {
        reset(feed, position);
      } else if (position.seq() >= feed.nextSeq) {
        fetch(feed, feed.nextSeq, position.seq(), ParleyMetrics.HUB_FETCH_TAIL);
      }
    });
  }

  /**
   * Some of the cluster's partitions lost every copy: with no store, the rooms there begin a new epoch. Every
   * room with members here is checked (reading a room's position makes its new epoch), and members of those that
   * began anew are told ({@code reset}).
   */
  public void checkEpochs() {
    context.runOnContext(v -> feeds.values().stream().filter(RoomFeed::started).toList().forEach(this::checkTail));
  }

  /**
   * The room's stream lost continuity (PROTOCOL.md 1.1): members are sent {@code reset} with the new epoch and
   * its latest seq, and live delivery goes on right after it. What was held back belongs to the old run.
   */
  private void reset(RoomFeed feed, StreamPosition position) {
    log.atInfo().setMessage("event=room_reset").addKeyValue("room", feed.room)
        .addKeyValue("old_epoch", feed.epoch).addKeyValue("epoch", position.epoch())
        .addKeyValue("seq", position.seq()).log();
    metrics.hubReset();
    feed.generation++;
    feed.fetching = false;
    feed.ahead.clear();
    vertx.cancelTimer(feed.gapTimer);
    feed.gapTimer = -1;
    feed.epoch = position.epoch();
    feed.nextSeq = position.seq() + 1;
    feed.awaitingFirst = true;
    dispatch(feed, RoomPush.reset(position.seq(), position.epoch(), Frames.roomReset(feed.room, position.epoch(), position.seq())));
  }

  private void onMessage(RoomFeed feed, Message<String> message) {
    String seqHeader = message.headers().get(RoomBus.SEQ_HEADER);
    if (seqHeader == null) {
      if (message.headers().contains(RoomBus.COUNT_HEADER)) {
        pushCount(feed, message.body());
      } else {
        dispatch(feed, RoomPush.event(message.body()));
      }
      return;
    }
    long seq = Long.parseLong(seqHeader);
    feed.arrivedSinceSweep = true;
    if (!feed.started()) {
      feed.ahead.put(seq, message.body());
      return;
    }
    String epoch = message.headers().get(RoomBus.EPOCH_HEADER);
    if (epoch != null && !epoch.equals(feed.epoch)) {
      // the room began anew (every copy of a memory-only stream died): this is an early message of the new run
      reset(feed, new StreamPosition(seq - 1, epoch));
    }
    if (seq < feed.nextSeq) {
      return; // already delivered (e.g. fetched while filling a gap)
    }
    feed.ahead.put(seq, message.body());
    drainInOrder(feed);
  }

  /**
   * A big room's user count (see {@code presence.maxPushMembers}): the first after a quiet spell goes at once,
   * then at most one per {@code fanout.presenceIntervalMs}, the latest, however many joins a storm brings.
   */
  private void pushCount(RoomFeed feed, String frame) {
    if (feed.countTimer >= 0) {
      feed.pendingCount = frame;
      return;
    }
    dispatch(feed, RoomPush.event(frame));
    if (pacing.presenceIntervalMs() > 0) {
      feed.countTimer = vertx.setTimer(pacing.presenceIntervalMs(), id -> {
        feed.countTimer = -1;
        String latest = feed.pendingCount;
        feed.pendingCount = null;
        if (latest != null && feeds.get(feed.room) == feed) {
          pushCount(feed, latest);
        }
      });
    }
  }

  private void drainInOrder(RoomFeed feed) {
    while (!feed.ahead.isEmpty() && feed.ahead.firstKey() == feed.nextSeq) {
      dispatch(feed, new RoomPush(feed.nextSeq, feed.ahead.pollFirstEntry().getValue()));
      feed.nextSeq++;
      feed.awaitingFirst = false;
    }
    if (feed.ahead.isEmpty()) {
      vertx.cancelTimer(feed.gapTimer);
      feed.gapTimer = -1;
    } else if (feed.ahead.size() > MAX_AHEAD || feed.awaitingFirst) {
      // a room keeping few messages (limits.maxRoomBytes) may no longer hold the missing one in 200 ms
      fillGap(feed);
    } else if (feed.gapTimer < 0) {
      feed.gapTimer = vertx.setTimer(GAP_WAIT_MS, id -> {
        feed.gapTimer = -1;
        fillGap(feed);
      });
    }
  }

  /** A seq is missing for too long: read it from history (it was stored before it was published). */
  private void fillGap(RoomFeed feed) {
    if (!feed.ahead.isEmpty()) {
      fetch(feed, feed.nextSeq, feed.ahead.firstKey() - 1, ParleyMetrics.HUB_FETCH_GAP);
    }
  }

  /** Reads seqs {@code from..to} from history and delivers them in order. */
  private void fetch(RoomFeed feed, long from, long to, String reason) {
    if (feed.fetching || feeds.get(feed.room) != feed || from != feed.nextSeq) {
      return;
    }
    metrics.hubHistoryFetch(reason);
    feed.fetching = true;
    long generation = feed.generation;
    history.range(feed.room, from, to).onComplete(result -> {
      if (generation != feed.generation) {
        return; // the room was reset meanwhile: this read belongs to its old run
      }
      feed.fetching = false;
      if (result.succeeded()) {
        deliverFetched(feed, result.result());
        // what history did not have up to `to` was overwritten: skip just that, never what may still arrive
        if (feed.nextSeq <= to) {
          log.warn("event=seq_skipped room={} from={} to={}", feed.room, feed.nextSeq, to);
          feed.nextSeq = to + 1;
        }
      } else {
        log.warn("event=gap_fill_failed room={} from={} to={} error={}", feed.room, from, to,
            result.cause().toString());
      }
      drainInOrder(feed);
    });
  }

  private void deliverFetched(RoomFeed feed, HistoryPage page) {
    for (HistoryEntry entry : page.messages()) {
      if (entry.seq() == feed.nextSeq) {
        feed.ahead.remove(entry.seq());
        dispatch(feed, new RoomPush(entry.seq(), entry.frame()));
        feed.nextSeq++;
        feed.awaitingFirst = false;
      }
    }
  }

  /** Hands a push to every gateway shard with members in the room. */
  private static void dispatch(RoomFeed feed, RoomPush push) {
    for (ShardBatch batch : feed.shards) {
      batch.add(push);
    }
  }

  /** Runs {@code action} on the hub's loop and relays its outcome. */
  private <T> Future<T> onHub(java.util.function.Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }
}
