package io.parley.store;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.util.List;

/**
 * {@link RocksStreamStore}'s side of the group commit: each batch one {@link RocksBatch} written with
 * {@code sync}, so that a future completes only once its write is on disk. The sweep reads the expiry index from
 * its start up to now: only what expired, never the messages.
 */
final class RocksWriter implements GroupCommitter.BatchTarget {

  private final RocksDatabase rocks;
  private final WriteOptions synced = new WriteOptions().setSync(true);
  /** Sweeps only free space: lost in a crash, the next sweep drops the same messages again. */
  private final WriteOptions unsynced = new WriteOptions().setSync(false);

  RocksWriter(RocksDatabase rocks) {
    this.rocks = rocks;
  }

  @Override
  public void commit(List<StoreWrite> writes) throws RocksDBException {
    try (RocksBatch batch = new RocksBatch(rocks)) {
      for (StoreWrite write : writes) {
        batch.add(write);
      }
      batch.write(synced);
    }
  }

  /**
   * Drops each expired message with its peer-index entry, then the expiry entries it read with one range delete
   * (point deletes there would pile up at the index's start, where every sweep begins).
   */
  @Override
  public int sweep(long now, int max) throws RocksDBException {
    int dropped = 0;
    byte[] first = null;
    byte[] last = null;
    try (Slice upper = new Slice(RocksKeys.expiringBefore(now));
         ReadOptions read = new ReadOptions().setIterateUpperBound(upper);
         RocksIterator expired = rocks.db.newIterator(rocks.expiry, read);
         WriteBatch batch = new WriteBatch()) {
      for (expired.seekToFirst(); expired.isValid() && dropped < max; expired.next()) {
        byte[] key = expired.key();
        RocksKeys.StreamSeq message = RocksKeys.messageOfExpiry(key);
        batch.delete(rocks.messages, RocksKeys.message(message.stream(), message.seq()));
        String peer = RocksValues.peerOfExpiry(expired.value());
        if (peer != null) {
          batch.delete(rocks.peers, RocksKeys.peer(message.stream(), peer, message.seq()));
        }
        first = first == null ? key : first;
        last = key;
        dropped++;
      }
      expired.status();
      if (dropped > 0) {
        batch.deleteRange(rocks.expiry, first, RocksKeys.after(last));
        rocks.db.write(unsynced, batch);
      }
    }
    return dropped;
  }

  /** Nothing to forget: every batch reads what it needs from the database. */
  @Override
  public void reset() {
  }

  /** Called once the writer thread ended. */
  void close() {
    synced.close();
    unsynced.close();
  }
}
