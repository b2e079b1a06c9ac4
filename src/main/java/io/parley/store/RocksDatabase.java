package io.parley.store;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Statistics;
import org.rocksdb.StatsLevel;
import org.rocksdb.TickerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One RocksDB folder with the column families of {@link RocksStreamStore} and the options they were opened with
 * (native objects: closed here, after the database). Closing flushes the memtables first, so the next open does
 * not replay a large write-ahead log.
 */
final class RocksDatabase implements AutoCloseable {

  /** Past this much log, RocksDB flushes the memtables that hold it back: bounds disk use and replay on open. */
  static final long MAX_WAL_BYTES = 64L << 20;
  /** All memtables together, across the column families. */
  private static final long MEMTABLE_BYTES = 64L << 20;
  private static final long BLOCK_CACHE_BYTES = 32L << 20;
  private static final double BLOOM_BITS_PER_KEY = 10;
  /** The key of the store's epoch in {@link #meta}. */
  static final byte[] EPOCH = "epoch".getBytes(StandardCharsets.UTF_8);

  private static final Logger log = LoggerFactory.getLogger(RocksDatabase.class);

  static {
    RocksDB.loadLibrary();
  }

  final RocksDB db;
  /** The default column family: the epoch. The others: see {@link RocksKeys}. */
  final ColumnFamilyHandle meta;
  final ColumnFamilyHandle heads;
  final ColumnFamilyHandle messages;
  final ColumnFamilyHandle peers;
  final ColumnFamilyHandle expiry;

  private final List<ColumnFamilyHandle> handles;
  private final List<AutoCloseable> options;
  private final Statistics statistics;

  private RocksDatabase(RocksDB db, List<ColumnFamilyHandle> handles, List<AutoCloseable> options,
                        Statistics statistics) {
    this.db = db;
    this.handles = handles;
    this.options = options;
    this.statistics = statistics;
    this.meta = handles.get(0);
    this.heads = handles.get(1);
    this.messages = handles.get(2);
    this.peers = handles.get(3);
    this.expiry = handles.get(4);
  }

  static RocksDatabase open(Path folder) throws RocksDBException {
    List<AutoCloseable> options = new ArrayList<>();
    Statistics statistics = new Statistics();
    statistics.setStatsLevel(StatsLevel.EXCEPT_DETAILED_TIMERS);
    Cache cache = new LRUCache(BLOCK_CACHE_BYTES);
    DBOptions db = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxTotalWalSize(MAX_WAL_BYTES)
        .setDbWriteBufferSize(MEMTABLE_BYTES)
        .setMaxBackgroundJobs(2)
        .setBytesPerSync(1 << 20)
        .setStatistics(statistics)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2);
    BloomFilter bloom = new BloomFilter(BLOOM_BITS_PER_KEY);
    ColumnFamilyOptions small = family(cache, null, 4L << 20);
    ColumnFamilyOptions lookedUp = family(cache, bloom, 8L << 20);
    ColumnFamilyOptions large = family(cache, bloom, 32L << 20).setCompressionType(CompressionType.LZ4_COMPRESSION);
    options.addAll(List.of(db, small, lookedUp, large, bloom, cache, statistics));
    List<ColumnFamilyDescriptor> families = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, small),
        new ColumnFamilyDescriptor(bytes("heads"), lookedUp),
        new ColumnFamilyDescriptor(bytes("messages"), large),
        new ColumnFamilyDescriptor(bytes("peers"), small),
        new ColumnFamilyDescriptor(bytes("expiry"), small));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      return new RocksDatabase(RocksDB.open(db, folder.toString(), families, handles), handles, options, statistics);
    } catch (RocksDBException | RuntimeException e) {
      closeAll(options);
      throw e;
    }
  }

  /** Heads and messages are looked up by key (a re-append's check): they get a Bloom filter. */
  private static ColumnFamilyOptions family(Cache cache, BloomFilter bloom, long memtableBytes) {
    BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache);
    if (bloom != null) {
      table.setFilterPolicy(bloom);
    }
    return new ColumnFamilyOptions().setTableFormatConfig(table).setWriteBufferSize(memtableBytes);
  }

  /** How many times the write-ahead log was synced to disk since open. */
  long walSyncs() {
    return statistics.getTickerCount(TickerType.WAL_FILE_SYNCED);
  }

  /** Flushes every memtable (the log then has nothing to replay), then closes. */
  @Override
  public void close() {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush, handles);
    } catch (RocksDBException e) {
      // still closed below: the log replays on the next open, which is slower but loses nothing
      log.atWarn().setMessage("event=store_flush_failed").addKeyValue("error", e.toString()).log();
    }
    handles.forEach(ColumnFamilyHandle::close);
    try {
      db.closeE();
    } catch (RocksDBException ignored) {
      // closing released what it could; nothing synced is lost
    }
    closeAll(options);
  }

  private static void closeAll(List<AutoCloseable> options) {
    for (AutoCloseable option : options) {
      try {
        option.close();
      } catch (Exception ignored) {
        // a native option object: nothing else to release
      }
    }
  }

  private static byte[] bytes(String name) {
    return name.getBytes(StandardCharsets.UTF_8);
  }
}

