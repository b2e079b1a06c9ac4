package io.parley.cluster;

import com.hazelcast.map.IMap;
import io.parley.store.StreamEntry;
import io.parley.store.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The two tiers of one kind of stream (rooms or users): the newest messages and every position in a Hazelcast
 * map, changed by {@link StreamProcessors}, and everything in the {@link StreamStore}, which the map loads a
 * stream from when memory lost it ({@link StreamLoader}). A write is answered once both hold it.
 */
final class StreamTier {

  private final IMap<String, StreamLog> logs;
  private final StreamStore store;
  private final Vertx vertx;
  /** Prefixed to keys in the store, which keeps rooms and users in one table. */
  private final String prefix;

  StreamTier(IMap<String, StreamLog> logs, StreamStore store, Vertx vertx, String prefix) {
    this.logs = logs;
    this.store = store;
    this.vertx = vertx;
    this.prefix = prefix;
  }

  /** Messages a stream keeps in memory: the newest {@code configured} with a store, all of them without one. */
  static int memoryMessages(StreamStore store, int configured) {
    return store.durable() ? configured : Integer.MAX_VALUE;
  }

  IMap<String, StreamLog> logs() {
    return logs;
  }

  /**
   * The epoch a stream with no entry begins in: the store's (whose streams never lose continuity), or without a
   * store, and for rooms configured not to be stored, a new one each time, since a missing entry may be a
   * stream whose every copy died (or, not stored, left memory when idle).
   */
  String epochForNew(Retention retention) {
    String epoch = retention.stored() ? store.epoch() : null;
    return epoch != null ? epoch : UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Appends a message: its seq from the hot tier, then committed to the store. If the partition owner died
   * during the write, whether it was stored is unknown: the new owner (the promoted backup, which holds every
   * write the old one had replicated) is searched for this exact encoding (its {@code ts} makes it unique in
   * practice). Found, that is its seq; not found, it was not stored and is written again, once.
   *
   * <p>A stream with no entry is made only once {@code gate} admits it (null: always, a user's own stream). The
   * write to a stream that exists is one call, as before; a new stream's first write costs the gate's check and
   * a second call.
   */
  Future<StreamPosition> append(String key, String message, long now, Retention retention, String peer, Gate gate) {
    return appendInSteps(key, message, now, retention, peer, gate).stored();
  }

  /**
   * {@link #append} whose two steps can be waited for apart: {@code placed} once the hot tier gave the message its
   * seq (or refused it), {@code stored} once the store has it too.
   */
  Appending appendInSteps(String key, String message, long now, Retention retention, String peer, Gate gate) {
    Future<StreamPosition> placed = place(key, message, now, retention, gate);
    Future<StreamPosition> stored = placed.compose(position -> {
      if (!retention.stored()) {
        return Future.succeededFuture(position);
      }
      if (retention.size() > 0 && position.seq() % TRIM_EVERY == 0) {
        store.trim(prefix + key, position.seq() - retention.size());
      }
      return store.append(new StreamEntry(prefix + key, position.seq(), now, retention.expiresAt(now), peer,
          message)).map(position).recover(failure -> withdraw(key, position.seq(), message)
              .transform(withdrawn -> Future.failedFuture(failure)));
    });
    return new Appending(placed, stored);
  }

  /** The two steps of an append (see {@link #appendInSteps}). */
  record Appending(Future<StreamPosition> placed, Future<StreamPosition> stored) {
  }

  private Future<StreamPosition> place(String key, String message, long now, Retention retention, Gate gate) {
    return placeOnce(key, message, now, retention, gate == null)
        .compose(position -> position != null || gate == null ? Future.succeededFuture(position)
            : gate.admit().compose(v -> placeOnce(key, message, now, retention, true)).onSuccess(p -> gate.made()));
  }

  /** One write to the hot tier, resolved as {@link #append} says when the owner died during it. */
  private Future<StreamPosition> placeOnce(String key, String message, long now, Retention retention, boolean create) {
    return appendOnce(key, message, now, retention, create)
        .recover(failure -> ClusterFailures.isIndeterminate(failure)
            ? ClusterCalls.async(vertx, () -> logs.submitToKey(key, new StreamProcessors.Find(message)))
                .compose(seq -> seq > 0 ? position(key, retention).map(p -> new StreamPosition(seq, p.epoch()))
                    : appendOnce(key, message, now, retention, create))
            : Future.failedFuture(failure));
  }

  /** The store did not commit it: readers of the hot tier must not see it (its sender retries it). */
  private Future<Boolean> withdraw(String key, long seq, String message) {
    return ClusterCalls.async(vertx, () -> logs.submitToKey(key, new StreamProcessors.Withdraw(seq, message)));
  }

  /** Count limits are applied to the store every this many messages of a stream, not on every one. */
  static final long TRIM_EVERY = 16;

  private Future<StreamPosition> appendOnce(String key, String message, long now, Retention retention, boolean create) {
    return ClusterCalls.async(vertx, () -> logs.submitToKey(key, new StreamProcessors.Append(message, now,
        retention.inMemory(), retention.maxBytes(), retention.cutoff(now), epochForNew(retention), create)));
  }

  /**
   * Who may make a stream that has no entry yet ({@link StreamLimits}): {@code admit} completes when one may be
   * made (else fails with the refusal), {@code made} is told once it was.
   */
  interface Gate {
    Future<Void> admit();

    void made();
  }

  /**
   * The stream's position, its entry made first if it has none and {@code gate} admits it (a {@code join}): then
   * the hub's own reads of it, which make it whatever the limits say, find it.
   */
  Future<StreamPosition> open(String key, Retention retention, Gate gate) {
    return openOnce(key, retention, false).compose(position -> position != null ? Future.succeededFuture(position)
        : gate.admit().compose(v -> openOnce(key, retention, true)).onSuccess(p -> gate.made()));
  }

  private Future<StreamPosition> openOnce(String key, Retention retention, boolean create) {
    return ClusterCalls.async(vertx, () -> logs.submitToKey(key,
        new StreamProcessors.Position(epochForNew(retention), System.currentTimeMillis(), create)));
  }

  /** The stream's position; a stream with no entry gets one (the hub's reads, a user's own stream). */
  Future<StreamPosition> position(String key, Retention retention) {
    return openOnce(key, retention, true);
  }

  /**
   * Messages after {@code since} (oldest first, at most {@code limit}), or with {@code since < 0} the newest
   * {@code limit}: from memory, and from the store for what memory no longer holds.
   */
  Future<StreamPage> read(String key, long since, int limit, Retention retention) {
    long now = System.currentTimeMillis();
    return ClusterCalls.async(vertx, () -> logs.submitToKey(key,
            new StreamProcessors.Read(since, limit, retention.cutoff(now), epochForNew(retention))))
        .compose(slice -> completeFromStore(key, since, limit, now, slice));
  }

  /** What a user is owed: after {@code since}, or with {@code since < 0} after what they acknowledged. */
  Future<StreamPage> owed(String key, long since, int limit, Retention retention) {
    long now = System.currentTimeMillis();
    return ClusterCalls.async(vertx, () -> logs.submitToKey(key,
            new StreamProcessors.Owed(since, limit, retention.cutoff(now), epochForNew(retention), now)))
        .compose(slice -> completeFromStore(key, slice.since(), limit, now, slice));
  }

  private Future<StreamPage> completeFromStore(String key, long since, int limit, long now, StreamLog.LogSlice slice) {
    StreamPage inMemory = StreamPage.of(slice);
    long from = since < 0 ? Math.max(0, slice.latest() - limit) : since;
    if (!store.durable() || from >= slice.memoryFrom() - 1 || from >= slice.latest()) {
      return Future.succeededFuture(inMemory);
    }
    return vertx.executeBlocking(() -> store.read(prefix + key, from, limit, now), false)
        .map(stored -> inMemory.after(stored, from, limit, since < 0));
  }

  /** The conversation with {@code peer} in {@code self}'s stream: the newest {@code limit} after {@code since}. */
  Future<StreamPage> conversation(String self, String peer, long since, int limit, Retention retention) {
    long now = System.currentTimeMillis();
    return ClusterCalls.async(vertx, () -> logs.submitToKey(self,
            new StreamProcessors.Conversation(self, peer, limit, retention.cutoff(now), epochForNew(retention))))
        .compose(slice -> {
          StreamPage inMemory = StreamPage.of(slice, since);
          if (!store.durable() || inMemory.messages().size() >= limit || slice.memoryFrom() <= 1) {
            return Future.succeededFuture(inMemory);
          }
          return vertx.executeBlocking(() -> store.readWithPeer(prefix + self, peer, since, limit, now), false)
              .map(stored -> StreamPage.ofStored(stored, slice.latest(), slice.epoch()));
        });
  }

  /** Raises the user's acknowledged seq, in memory and (when it moved) in the store. */
  Future<Void> ack(String key, long seq, Retention retention) {
    return ClusterCalls.async(vertx, () -> logs.submitToKey(key,
            new StreamProcessors.Ack(seq, epochForNew(retention), System.currentTimeMillis())))
        .compose(moved -> moved ? store.ack(prefix + key, seq) : Future.succeededFuture());
  }

  /**
   * How long messages are kept and where: one room's rule, or the users' streams'; {@code maxBytes}: the most
   * UTF-8 bytes the kept messages of one stream hold in memory (0: no limit).
   */
  record Retention(int size, long ttlMs, boolean stored, int memoryMessages, long maxBytes) {

    Retention(int size, long ttlMs, boolean stored, int memoryMessages) {
      this(size, ttlMs, stored, memoryMessages, 0);
    }

    /** Messages kept in memory: all of them without a store, the newest {@code memoryMessages} with one. */
    int inMemory() {
      return stored ? Math.min(size, memoryMessages) : 0;
    }

    long cutoff(long now) {
      return ttlMs == 0 ? Long.MIN_VALUE : now - ttlMs;
    }

    long expiresAt(long now) {
      return ttlMs == 0 ? Long.MAX_VALUE : now + ttlMs;
    }
  }

  /** A read's messages with their seqs, the stream's position, and whether none the reader asked for was missing. */
  record StreamPage(List<Long> seqs, List<String> messages, long latest, String epoch, boolean complete) {

    static StreamPage of(StreamLog.LogSlice slice) {
      List<Long> seqs = new ArrayList<>(slice.messages().size());
      List<String> messages = new ArrayList<>(slice.messages().size());
      for (int i = 0; i < slice.messages().size(); i++) {
        if (!slice.messages().get(i).equals(StreamLog.WITHDRAWN)) {
          seqs.add(slice.firstSeq() + i);
          messages.add(slice.messages().get(i));
        }
      }
      return new StreamPage(seqs, messages, slice.latest(), slice.epoch(), slice.complete());
    }

    static StreamPage of(StreamProcessors.ConversationSlice slice, long since) {
      List<Long> seqs = new ArrayList<>();
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < slice.seqs().size(); i++) {
        if (slice.seqs().get(i) > since) {
          seqs.add(slice.seqs().get(i));
          messages.add(slice.messages().get(i));
        }
      }
      return new StreamPage(seqs, messages, slice.latest(), slice.epoch(), true);
    }

    static StreamPage ofStored(List<StreamEntry> stored, long latest, String epoch) {
      return new StreamPage(stored.stream().map(StreamEntry::seq).toList(),
          stored.stream().map(StreamEntry::data).toList(), latest, epoch, true);
    }

    /**
     * The store's messages after {@code from} up to where memory's begin, then memory's: at most {@code limit}.
     * Complete when they begin right after {@code from} with no hole (or when the newest were asked for).
     */
    StreamPage after(List<StreamEntry> stored, long from, int limit, boolean newest) {
      List<Long> allSeqs = new ArrayList<>();
      List<String> all = new ArrayList<>();
      long memoryFirst = seqs.isEmpty() ? Long.MAX_VALUE : seqs.get(0);
      for (StreamEntry entry : stored) {
        if (entry.seq() < memoryFirst && all.size() < limit) {
          allSeqs.add(entry.seq());
          all.add(entry.data());
        }
      }
      for (int i = 0; i < seqs.size() && all.size() < limit; i++) {
        allSeqs.add(seqs.get(i));
        all.add(messages.get(i));
      }
      boolean contiguous = true;
      for (int i = 0; i < allSeqs.size(); i++) {
        contiguous &= allSeqs.get(i) == from + 1 + i;
      }
      boolean reachesNewest = !allSeqs.isEmpty() || from >= latest;
      return new StreamPage(allSeqs, all, latest, epoch, newest || contiguous && reachesNewest);
    }
  }
}
