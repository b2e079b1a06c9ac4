package io.parley.store;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One group commit of {@link RocksStreamStore} as one {@link WriteBatch}: messages with their index entries, the
 * heads they raise, then the trims (after the appends, as in SQL: a trim also drops what this batch appends below
 * it). Heads are read once per stream and written once; a message already stored is kept (the first write wins).
 */
final class RocksBatch implements AutoCloseable {

  private final RocksDatabase rocks;
  private final WriteBatch batch = new WriteBatch();
  private final Map<String, Head> heads = new HashMap<>();
  private final Set<RocksKeys.StreamSeq> appended = new HashSet<>();
  private final Map<String, List<StreamEntry>> appendedByStream = new HashMap<>();
  private final Map<String, Long> trims = new HashMap<>();

  /** A stream's head as stored when the batch began, and as the batch leaves it. */
  private static final class Head {
    final long storedLatest;
    long latest;
    long acked;
    boolean changed;

    Head(long latest, long acked) {
      this.storedLatest = latest;
      this.latest = latest;
      this.acked = acked;
    }
  }

  RocksBatch(RocksDatabase rocks) {
    this.rocks = rocks;
  }

  void add(StoreWrite write) throws RocksDBException {
    switch (write.kind()) {
      case APPEND -> append(write.entry());
      case ACK -> ack(write.stream(), write.seq());
      case TRIM -> trims.merge(write.stream(), write.seq(), Math::max);
    }
  }

  private void append(StreamEntry entry) throws RocksDBException {
    Head head = head(entry.stream());
    byte[] key = RocksKeys.message(entry.stream(), entry.seq());
    if (!appended.add(new RocksKeys.StreamSeq(entry.stream(), entry.seq()))) {
      return;
    }
    // nothing is stored above the stored latest: only a seq at or below it needs the look-up
    if (entry.seq() <= head.storedLatest && rocks.db.get(rocks.messages, key) != null) {
      return;
    }
    batch.put(rocks.messages, key, RocksValues.message(entry));
    if (entry.peer() != null) {
      batch.put(rocks.peers, RocksKeys.peer(entry.stream(), entry.peer(), entry.seq()), new byte[0]);
    }
    if (entry.expiresAt() != Long.MAX_VALUE) {
      batch.put(rocks.expiry, RocksKeys.expiry(entry.expiresAt(), entry.stream(), entry.seq()),
          RocksValues.expiry(entry.peer()));
    }
    appendedByStream.computeIfAbsent(entry.stream(), s -> new ArrayList<>()).add(entry);
    if (entry.seq() > head.latest) {
      head.latest = entry.seq();
      head.changed = true;
    }
  }

  private void ack(String stream, long seq) throws RocksDBException {
    Head head = head(stream);
    if (seq > head.acked) {
      head.acked = seq;
      head.changed = true;
    }
  }

  private Head head(String stream) throws RocksDBException {
    Head head = heads.get(stream);
    if (head == null) {
      byte[] stored = rocks.db.get(rocks.heads, RocksKeys.head(stream));
      head = stored == null ? new Head(0, 0)
          : new Head(RocksValues.latestOfHead(stored), RocksValues.ackedOfHead(stored));
      heads.put(stream, head);
    }
    return head;
  }

  /**
   * One range delete drops the messages; their index entries are dropped one by one, found among the messages
   * still stored in the range (few: the ones since the last trim) and this batch's own.
   */
  private void trim(String stream, long upTo) throws RocksDBException {
    byte[] from = RocksKeys.message(stream, Long.MIN_VALUE);
    byte[] to = RocksKeys.after(RocksKeys.message(stream, upTo));
    try (Slice lower = new Slice(from); Slice upper = new Slice(to);
         ReadOptions read = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
         RocksIterator stored = rocks.db.newIterator(rocks.messages, read)) {
      for (stored.seekToFirst(); stored.isValid(); stored.next()) {
        dropIndexEntries(RocksValues.message(stream, RocksKeys.seqOf(stored.key()), stored.value()));
      }
      stored.status();
    }
    for (StreamEntry entry : appendedByStream.getOrDefault(stream, List.of())) {
      if (entry.seq() <= upTo) {
        dropIndexEntries(entry);
      }
    }
    batch.deleteRange(rocks.messages, from, to);
  }

  private void dropIndexEntries(StreamEntry entry) throws RocksDBException {
    if (entry.peer() != null) {
      batch.delete(rocks.peers, RocksKeys.peer(entry.stream(), entry.peer(), entry.seq()));
    }
    if (entry.expiresAt() != Long.MAX_VALUE) {
      batch.delete(rocks.expiry, RocksKeys.expiry(entry.expiresAt(), entry.stream(), entry.seq()));
    }
  }

  /** Writes the batch: returns once it is in the log, and with {@code options.sync()} on disk. */
  void write(WriteOptions options) throws RocksDBException {
    for (Map.Entry<String, Long> trim : trims.entrySet()) {
      trim(trim.getKey(), trim.getValue());
    }
    for (Map.Entry<String, Head> stream : heads.entrySet()) {
      Head head = stream.getValue();
      if (head.changed) {
        batch.put(rocks.heads, RocksKeys.head(stream.getKey()), RocksValues.head(head.latest, head.acked));
      }
    }
    rocks.db.write(options, batch);
  }

  @Override
  public void close() {
    batch.close();
  }
}
