package io.parley.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

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
import java.util.function.LongConsumer;

/**
 * A {@link StreamStore} in PostgreSQL ({@code postgres}), which several nodes share. One writer connection commits
 * in groups ({@link GroupCommitter}, {@link JdbcWriter}); reads share a small pool. The schema is made at
 * start-up, and the store's epoch with it: a new database is a new epoch for every stream.
 */
public final class JdbcStreamStore extends GroupCommittedStore {

  private static final int READ_POOL_SIZE = 4;
  private static final String COLUMNS = "seq, ts, expires_at, peer, data";

  private final HikariDataSource readers;
  private final JdbcWriter connection;

  private JdbcStreamStore(String epoch, HikariDataSource readers, JdbcWriter connection, long sweepIntervalMs,
                          LongConsumer batchObserver) {
    super(epoch, connection, sweepIntervalMs, batchObserver);
    this.readers = readers;
    this.connection = connection;
  }

  /** PostgreSQL at {@code url} ({@code postgresql://host:port/db}). */
  public static JdbcStreamStore postgres(String url, String user, String password, long sweepIntervalMs,
                                         LongConsumer batchObserver) throws SQLException {
    String jdbcUrl = "jdbc:" + url;
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("reWriteBatchedInserts", "true");
    properties.setProperty("ApplicationName", "parley");
    JdbcWriter.ConnectionSource source = () -> {
      Connection c = DriverManager.getConnection(jdbcUrl, properties);
      c.setAutoCommit(false);
      return c;
    };
    String epoch;
    try (Connection c = source.open()) {
      epoch = createSchema(c);
    }
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("parley-store-read");
    pool.setJdbcUrl(jdbcUrl);
    pool.setDataSourceProperties(properties);
    pool.setMaximumPoolSize(READ_POOL_SIZE);
    pool.setMinimumIdle(1);
    return new JdbcStreamStore(epoch, new HikariDataSource(pool), new JdbcWriter(source), sweepIntervalMs,
        batchObserver);
  }

  /** Creates what is missing (nodes starting together: PostgreSQL serialises them on a lock); returns the epoch. */
  private static String createSchema(Connection c) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute(PostgresSql.SCHEMA_LOCK);
      for (String ddl : PostgresSql.SCHEMA) {
        statement.execute(ddl);
      }
    }
    try (PreparedStatement insert = c.prepareStatement(PostgresSql.INSERT_EPOCH)) {
      insert.setString(1, Epochs.random());
      insert.executeUpdate();
    }
    String value;
    try (Statement statement = c.createStatement();
         ResultSet row = statement.executeQuery(PostgresSql.SELECT_EPOCH)) {
      row.next();
      value = row.getString(1);
    }
    c.commit();
    return value;
  }

  @Override
  public String kind() {
    return StoreKinds.POSTGRES;
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
    if (stopWriter()) {
      connection.close();
    }
    readers.close();
  }
}
