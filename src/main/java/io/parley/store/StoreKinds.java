package io.parley.store;

import io.parley.config.ParleyConfig.StoreConfig;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.function.LongConsumer;

/** Opens the store that {@code store.kind} names. */
public final class StoreKinds {

  private static final Logger log = LoggerFactory.getLogger(StoreKinds.class);

  public static final String EMBEDDED = "embedded";
  public static final String POSTGRES = "postgres";
  /** The embedded store's RocksDB folder inside {@code store.path}. */
  public static final String EMBEDDED_FOLDER = "rocksdb";
  /** Where the embedded store was kept when it was SQLite: not read any more. */
  private static final String FORMER_SQLITE_FILE = "parley.db";

  private StoreKinds() {
  }

  public static StreamStore open(StoreConfig config, LongConsumer batchObserver) {
    try {
      return switch (config.kind()) {
        case MemoryStore.KIND -> new MemoryStore();
        case EMBEDDED -> openEmbedded(Path.of(config.path()), config.sweepIntervalMs(), batchObserver);
        case POSTGRES -> JdbcStreamStore.postgres(config.url(), config.user(), config.password(),
            config.sweepIntervalMs(), batchObserver);
        default -> throw new IllegalArgumentException("unknown store.kind " + config.kind());
      };
    } catch (SQLException | RocksDBException e) {
      throw new IllegalStateException("cannot open the " + config.kind() + " store ("
          + (config.kind().equals(POSTGRES) ? config.url() : config.path()) + "): " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create store.path " + config.path(), e);
    }
  }

  private static StreamStore openEmbedded(Path path, long sweepIntervalMs, LongConsumer batchObserver)
      throws IOException, RocksDBException {
    Path folder = path.resolve(EMBEDDED_FOLDER);
    Files.createDirectories(folder);
    if (Files.exists(path.resolve(FORMER_SQLITE_FILE))) {
      // its streams begin again in a new epoch, which clients see: say why
      log.atWarn().setMessage("event=store_sqlite_file_ignored")
          .addKeyValue("file", path.resolve(FORMER_SQLITE_FILE).toAbsolutePath()).log();
    }
    return RocksStreamStore.open(folder, sweepIntervalMs, batchObserver);
  }

  /** What identifies the store among cluster members: nodes of one cluster must share one. */
  public static String identity(StoreConfig config) {
    return switch (config.kind()) {
      case POSTGRES -> POSTGRES + ":" + config.url();
      case EMBEDDED -> EMBEDDED + ":" + Path.of(config.path()).toAbsolutePath();
      default -> config.kind();
    };
  }

}
