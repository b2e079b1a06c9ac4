package io.parley.store;

import io.parley.config.ParleyConfig.StoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.function.LongConsumer;

/** Opens the store that {@code store.kind} names. */
public final class StoreKinds {

  public static final String EMBEDDED = "embedded";
  public static final String POSTGRES = "postgres";
  /** The embedded store's file inside {@code store.path}. */
  public static final String EMBEDDED_FILE = "parley.db";

  private StoreKinds() {
  }

  public static StreamStore open(StoreConfig config, LongConsumer batchObserver) {
    try {
      return switch (config.kind()) {
        case MemoryStore.KIND -> new MemoryStore();
        case EMBEDDED -> {
          Path folder = Path.of(config.path());
          Files.createDirectories(folder);
          yield JdbcStreamStore.sqlite(folder.resolve(EMBEDDED_FILE), config.sweepIntervalMs(), batchObserver);
        }
        case POSTGRES -> JdbcStreamStore.postgres(config.url(), config.user(), config.password(),
            config.sweepIntervalMs(), batchObserver);
        default -> throw new IllegalArgumentException("unknown store.kind " + config.kind());
      };
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the " + config.kind() + " store ("
          + (config.kind().equals(POSTGRES) ? config.url() : config.path()) + "): " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create store.path " + config.path(), e);
    }
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
