package io.parley.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * A {@link StreamStore} in SQL: SQLite on the node's disk ({@code embedded}) or PostgreSQL ({@code postgres}).
 * One writer connection commits in groups ({@link GroupCommitter}); reads share a small pool. The schema is made
 * at start-up, and the store's epoch with it: a new database is a new epoch for every stream.
 */
public final class JdbcStreamStore implements StreamStore {

  private static final int READ_POOL_SIZE = 4;
  private static final String COLUMNS = "seq, ts, expires_at, peer, data";

  private final String kind;
  private final SqlDialect dialect;
  private final HikariDataSource readers;
  private final GroupCommitter writer;
  private final String epoch;

  private JdbcStreamStore(String kind, SqlDialect dialect, String jdbcUrl, Properties properties,
                          long sweepIntervalMs, LongConsumer batchObserver) throws SQLException {
    this.kind = kind;
    this.dialect = dialect;
    GroupCommitter.ConnectionSource source = () -> {
      Connection c = DriverManager.getConnection(jdbcUrl, properties);
      dialect.prepare(c, true);
      c.setAutoCommit(false);
      return c;
    };
    try (Connection c = source.open()) {
      this.epoch = createSchema(c);
    }
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("parley-store-read");
    pool.setJdbcUrl(jdbcUrl);
    pool.setDataSourceProperties(properties);
    pool.setMaximumPoolSize(READ_POOL_SIZE);
    pool.setMinimumIdle(1);
    this.readers = new HikariDataSource(pool);
    this.writer = new GroupCommitter(dialect, source, sweepIntervalMs, batchObserver);
    writer.start();
  }

  /** SQLite in {@code file}: the embedded store. */
  public static JdbcStreamStore sqlite(java.nio.file.Path file, long sweepIntervalMs, LongConsumer batchObserver)
      throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("busy_timeout", "10000");
    return new JdbcStreamStore(StoreKinds.EMBEDDED, SqlDialect.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath(),
        properties, sweepIntervalMs, batchObserver);
  }

  /** PostgreSQL at {@code url} ({@code postgresql://host:port/db}). */
  public static JdbcStreamStore postgres(String url, String user, String password, long sweepIntervalMs,
                                         LongConsumer batchObserver) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("reWriteBatchedInserts", "true");
    properties.setProperty("ApplicationName", "parley");
    return new JdbcStreamStore(StoreKinds.POSTGRES, SqlDialect.POSTGRES, "jdbc:" + url, properties,
        sweepIntervalMs, batchObserver);
  }

  /** Creates what is missing (nodes starting together: PostgreSQL serialises them on a lock); returns the epoch. */
  private String createSchema(Connection c) throws SQLException {
    try (Statement statement = c.createStatement()) {
      if (dialect == SqlDialect.POSTGRES) {
        statement.execute("SELECT pg_advisory_xact_lock(7310500)");
      }
      for (String ddl : dialect.schema()) {
        statement.execute(ddl);
      }
    }
    try (PreparedStatement insert = c.prepareStatement(dialect.insertEpoch())) {
      insert.setString(1, UUID.randomUUID().toString().substring(0, 13).replace("-", ""));
      insert.executeUpdate();
    }
    String value;
    try (Statement statement = c.createStatement();
         ResultSet row = statement.executeQuery("SELECT value FROM parley_meta WHERE name = 'epoch'")) {
      row.next();
      value = row.getString(1);
    }
    c.commit();
    return value;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public String epoch() {
    return epoch;
  }

  @Override
  public Future<Void> append(StreamEntry entry) {
    Context context = Vertx.currentContext();
    Promise<Void> done = Promise.promise();
    writer.submit(StoreWrite.append(entry, context, done));
    return done.future();
  }

  @Override
  public Future<Void> ack(String stream, long seq) {
    Context context = Vertx.currentContext();
    Promise<Void> done = Promise.promise();
    writer.submit(StoreWrite.ack(stream, seq, context, done));
    return done.future();
  }

  @Override
  public void trim(String stream, long upTo) {
    if (upTo > 0) {
      writer.submit(StoreWrite.trim(stream, upTo));
    }
  }

  @Override
  public StreamTail load(String stream, int keep, long now) {
    try (Connection c = readers.getConnection()) {
      long latest = 0;
      long acked = 0;
      try (PreparedStatement head = c.prepareStatement(
          "SELECT latest, acked FROM parley_streams WHERE stream = ?")) {
        head.setString(1, stream);
        try (ResultSet row = head.executeQuery()) {
          if (!row.next()) {
            return StreamTail.EMPTY;
          }
          latest = row.getLong(1);
          acked = row.getLong(2);
        }
      }
      List<StreamEntry> newest = query(c, "SELECT " + COLUMNS + " FROM parley_messages WHERE stream = ?"
          + " AND expires_at >= ? ORDER BY seq DESC LIMIT ?", stream, now, keep);
      Collections.reverse(newest);
      return new StreamTail(latest, acked, newest);
    } catch (SQLException e) {
      throw new StoreUnavailableException(e);
    }
  }

  @Override
  public List<StreamEntry> read(String stream, long since, int limit, long now) {
    try (Connection c = readers.getConnection()) {
      return query(c, "SELECT " + COLUMNS + " FROM parley_messages WHERE stream = ? AND expires_at >= ?"
          + " AND seq > ? ORDER BY seq LIMIT ?", stream, now, since, limit);
    } catch (SQLException e) {
      throw new StoreUnavailableException(e);
    }
  }

  @Override
  public List<StreamEntry> readWithPeer(String stream, String peer, long since, int limit, long now) {
    try (Connection c = readers.getConnection()) {
      List<StreamEntry> newest = query(c, "SELECT " + COLUMNS + " FROM parley_messages WHERE stream = ?"
          + " AND expires_at >= ? AND peer = ? AND seq > ? ORDER BY seq DESC LIMIT ?", stream, now, peer, since, limit);
      Collections.reverse(newest);
      return newest;
    } catch (SQLException e) {
      throw new StoreUnavailableException(e);
    }
  }

  private static List<StreamEntry> query(Connection c, String sql, String stream, Object... args) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(sql)) {
      select.setString(1, stream);
      for (int i = 0; i < args.length; i++) {
        select.setObject(i + 2, args[i]);
      }
      List<StreamEntry> entries = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          entries.add(new StreamEntry(stream, row.getLong(1), row.getLong(2), row.getLong(3), row.getString(4),
              row.getString(5)));
        }
      }
      return entries;
    }
  }

  @Override
  public void close() {
    writer.stop();
    readers.close();
  }
}
