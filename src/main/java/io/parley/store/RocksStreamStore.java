package io.parley.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;

/**
 * {@code store.kind=embedded}: RocksDB in one folder on the node's disk. Appends, acks and trims go through one
 * group-committing writer ({@link GroupCommitter}, {@link RocksWriter}), each batch one synced write; reads go to
 * the database directly, from any thread. Layout: {@link RocksKeys}.
 */
public final class RocksStreamStore extends GroupCommittedStore {

  private static final Logger log = LoggerFactory.getLogger(RocksStreamStore.class);

  private final RocksDatabase rocks;
  private final RocksWriter target;
  /** Reads hold it shared, close exclusively: a read on closed native handles would crash the process. */
  private final ReadWriteLock open = new ReentrantReadWriteLock();
  private boolean closed;

  private RocksStreamStore(RocksDatabase rocks, String epoch, RocksWriter target, long sweepIntervalMs,
                           LongConsumer batchObserver) {
    super(epoch, target, sweepIntervalMs, batchObserver);
    this.rocks = rocks;
    this.target = target;
  }

  /** Opens the store in {@code folder}, creating it (and its epoch) if it is new. */
  public static RocksStreamStore open(Path folder, long sweepIntervalMs, LongConsumer batchObserver)
      throws RocksDBException {
    RocksDatabase rocks = RocksDatabase.open(folder);
    try {
      return new RocksStreamStore(rocks, epochOf(rocks), new RocksWriter(rocks), sweepIntervalMs, batchObserver);
    } catch (RocksDBException | RuntimeException e) {
      rocks.close();
      throw e;
    }
  }

  /** The stored epoch, or a new one stored (synced) if the store is new. */
  private static String epochOf(RocksDatabase rocks) throws RocksDBException {
    byte[] stored = rocks.db.get(rocks.meta, RocksDatabase.EPOCH);
    if (stored != null) {
      return new String(stored, StandardCharsets.UTF_8);
    }
    String epoch = Epochs.random();
    try (WriteOptions synced = new WriteOptions().setSync(true)) {
      rocks.db.put(rocks.meta, synced, RocksDatabase.EPOCH, epoch.getBytes(StandardCharsets.UTF_8));
    }
    return epoch;
  }

  @Override
  public String kind() {
    return StoreKinds.EMBEDDED;
  }

  @Override
  public StreamTail load(String stream, int keep, long now) {
    return reading(() -> {
      byte[] head = rocks.db.get(rocks.heads, RocksKeys.head(stream));
      if (head == null) {
        return StreamTail.EMPTY;
      }
      List<StreamEntry> newest = scan(rocks.messages, RocksKeys.message(stream, Long.MIN_VALUE),
          RocksKeys.message(stream, Long.MAX_VALUE), keep, now, true, messageOf(stream));
      Collections.reverse(newest);
      return new StreamTail(RocksValues.latestOfHead(head), RocksValues.ackedOfHead(head), newest);
    });
  }

  @Override
  public List<StreamEntry> read(String stream, long since, int limit, long now) {
    if (since == Long.MAX_VALUE) {
      return List.of();
    }
    return reading(() -> scan(rocks.messages, RocksKeys.message(stream, since + 1),
        RocksKeys.message(stream, Long.MAX_VALUE), limit, now, false, messageOf(stream)));
  }

  /** Walks the peer index newest first; each entry's message is one look-up. */
  @Override
  public List<StreamEntry> readWithPeer(String stream, String peer, long since, int limit, long now) {
    if (since == Long.MAX_VALUE) {
      return List.of();
    }
    return reading(() -> {
      List<StreamEntry> newest = scan(rocks.peers, RocksKeys.peer(stream, peer, since + 1),
          RocksKeys.peer(stream, peer, Long.MAX_VALUE), limit, now, true, (key, value) -> {
            long seq = RocksKeys.seqOf(key);
            byte[] message = rocks.db.get(rocks.messages, RocksKeys.message(stream, seq));
            return message == null ? null : RocksValues.message(stream, seq, message);
          });
      Collections.reverse(newest);
      return newest;
    });
  }

  /** Turns an index or message entry into its message, or null when there is none. */
  private interface EntryReader {
    StreamEntry read(byte[] key, byte[] value) throws RocksDBException;
  }

  private static EntryReader messageOf(String stream) {
    return (key, value) -> RocksValues.message(stream, RocksKeys.seqOf(key), value);
  }

  /**
   * Up to {@code limit} messages not expired at {@code now} from the keys {@code first..last} (both included),
   * oldest first or newest first.
   */
  private List<StreamEntry> scan(ColumnFamilyHandle family, byte[] first, byte[] last, int limit, long now,
                                 boolean newestFirst, EntryReader reader) throws RocksDBException {
    List<StreamEntry> entries = new ArrayList<>();
    if (limit <= 0) {
      return entries;
    }
    try (Slice lower = new Slice(first); Slice upper = new Slice(RocksKeys.after(last));
         ReadOptions read = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
         RocksIterator keys = rocks.db.newIterator(family, read)) {
      for (seekToStart(keys, newestFirst); keys.isValid() && entries.size() < limit; step(keys, newestFirst)) {
        StreamEntry entry = reader.read(keys.key(), keys.value());
        if (entry != null && entry.expiresAt() >= now) {
          entries.add(entry);
        }
      }
      keys.status();
    }
    return entries;
  }

  private static void seekToStart(RocksIterator keys, boolean newestFirst) {
    if (newestFirst) {
      keys.seekToLast();
    } else {
      keys.seekToFirst();
    }
  }

  private static void step(RocksIterator keys, boolean newestFirst) {
    if (newestFirst) {
      keys.prev();
    } else {
      keys.next();
    }
  }

  private interface Read<T> {
    T run() throws RocksDBException;
  }

  private <T> T reading(Read<T> read) {
    open.readLock().lock();
    try {
      if (closed) {
        throw new StoreUnavailableException(new IllegalStateException("the store is closed"));
      }
      return read.run();
    } catch (RocksDBException e) {
      throw new StoreUnavailableException(e);
    } finally {
      open.readLock().unlock();
    }
  }

  /** How many times the write-ahead log was synced since open: tests check that a future waits for one. */
  long walSyncs() {
    return reading(rocks::walSyncs);
  }

  /** Commits what is queued, flushes the memtables, closes. */
  @Override
  public void close() {
    boolean writerEnded = stopWriter();
    open.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (!writerEnded) {
        // the writer may still be inside RocksDB: leave the handles to the process's end rather than crash it
        log.atWarn().setMessage("event=store_close_incomplete").log();
        return;
      }
      target.close();
      rocks.close();
    } finally {
      open.writeLock().unlock();
    }
  }
}
