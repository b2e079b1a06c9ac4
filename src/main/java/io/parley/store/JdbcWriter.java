package io.parley.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link JdbcStreamStore}'s side of the group commit: one connection (autocommit off), each batch one
 * transaction. A connection that failed is dropped and a new one opened for the next batch.
 */
final class JdbcWriter implements GroupCommitter.BatchTarget {

  /** Opens a connection for the writer (autocommit off); called again after a connection broke. */
  interface ConnectionSource {
    Connection open() throws SQLException;
  }

  private final ConnectionSource connections;
  private Connection connection;

  JdbcWriter(ConnectionSource connections) {
    this.connections = connections;
  }

  @Override
  public void commit(List<StoreWrite> batch) throws SQLException {
    Connection c = connection();
    write(c, batch);
    c.commit();
  }

  private static void write(Connection c, List<StoreWrite> batch) throws SQLException {
    Map<String, Long> latest = new HashMap<>();
    try (PreparedStatement insert = c.prepareStatement(PostgresSql.INSERT_MESSAGE);
         PreparedStatement acks = c.prepareStatement(PostgresSql.RAISE_ACKED);
         PreparedStatement trims = c.prepareStatement(PostgresSql.TRIM)) {
      for (StoreWrite write : batch) {
        switch (write.kind()) {
          case APPEND -> {
            StreamEntry e = write.entry();
            insert.setString(1, e.stream());
            insert.setLong(2, e.seq());
            insert.setLong(3, e.ts());
            insert.setLong(4, e.expiresAt());
            insert.setString(5, e.peer());
            insert.setString(6, e.data());
            insert.addBatch();
            latest.merge(e.stream(), e.seq(), Math::max);
          }
          case ACK -> {
            acks.setString(1, write.stream());
            acks.setLong(2, write.seq());
            acks.addBatch();
          }
          case TRIM -> {
            trims.setString(1, write.stream());
            trims.setLong(2, write.seq());
            trims.addBatch();
          }
        }
      }
      insert.executeBatch();
      acks.executeBatch();
      trims.executeBatch();
    }
    if (!latest.isEmpty()) {
      try (PreparedStatement raise = c.prepareStatement(PostgresSql.RAISE_LATEST)) {
        for (Map.Entry<String, Long> stream : latest.entrySet()) {
          raise.setString(1, stream.getKey());
          raise.setLong(2, stream.getValue());
          raise.addBatch();
        }
        raise.executeBatch();
      }
    }
  }

  /** One statement however many expired (a result over {@code max} only costs one more, empty, sweep). */
  @Override
  public int sweep(long now, int max) throws SQLException {
    Connection c = connection();
    int dropped;
    try (PreparedStatement sweep = c.prepareStatement(PostgresSql.SWEEP)) {
      sweep.setLong(1, now);
      dropped = sweep.executeUpdate();
    }
    c.commit();
    return dropped;
  }

  @Override
  public void reset() {
    if (connection == null) {
      return;
    }
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the connection is closed next anyway
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // a broken connection: nothing more to release
    }
    connection = null;
  }

  /** Closes the connection; called once the writer thread ended. */
  void close() {
    reset();
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = connections.open();
    }
    return connection;
  }
}
