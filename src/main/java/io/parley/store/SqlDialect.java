package io.parley.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What differs between the SQL engines behind {@link JdbcStreamStore}: the schema's types, the larger-of-two
 * function, and how a fresh connection is set up. Everything else is the same SQL.
 */
enum SqlDialect {

  /** SQLite in WAL mode: commits fsync the log (synchronous=FULL), readers never block the writer. */
  SQLITE("max", "WITHOUT ROWID") {
    @Override
    void prepare(Connection connection, boolean writer) throws SQLException {
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode=WAL");
        statement.execute("PRAGMA synchronous=FULL");
        statement.execute("PRAGMA busy_timeout=10000");
      }
    }
  },

  POSTGRES("greatest", "") {
    @Override
    void prepare(Connection connection, boolean writer) {
    }
  };

  private final String greatest;
  private final String tableSuffix;

  SqlDialect(String greatest, String tableSuffix) {
    this.greatest = greatest;
    this.tableSuffix = tableSuffix;
  }

  abstract void prepare(Connection connection, boolean writer) throws SQLException;

  List<String> schema() {
    return List.of(
        "CREATE TABLE IF NOT EXISTS parley_meta (name VARCHAR(64) PRIMARY KEY, value VARCHAR(256) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS parley_streams (stream VARCHAR(200) PRIMARY KEY, latest BIGINT NOT NULL,"
            + " acked BIGINT NOT NULL DEFAULT 0)",
        "CREATE TABLE IF NOT EXISTS parley_messages (stream VARCHAR(200) NOT NULL, seq BIGINT NOT NULL,"
            + " ts BIGINT NOT NULL, expires_at BIGINT NOT NULL, peer VARCHAR(200), data TEXT NOT NULL,"
            + " PRIMARY KEY (stream, seq)) " + tableSuffix,
        "CREATE INDEX IF NOT EXISTS parley_messages_expiry ON parley_messages (expires_at)",
        "CREATE INDEX IF NOT EXISTS parley_messages_peer ON parley_messages (stream, peer, seq)");
  }

  String insertMessage() {
    return "INSERT INTO parley_messages (stream, seq, ts, expires_at, peer, data) VALUES (?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (stream, seq) DO NOTHING";
  }

  String raiseLatest() {
    return "INSERT INTO parley_streams (stream, latest) VALUES (?, ?) ON CONFLICT (stream)"
        + " DO UPDATE SET latest = " + greatest + "(parley_streams.latest, excluded.latest)";
  }

  String raiseAcked() {
    return "INSERT INTO parley_streams (stream, latest, acked) VALUES (?, 0, ?) ON CONFLICT (stream)"
        + " DO UPDATE SET acked = " + greatest + "(parley_streams.acked, excluded.acked)";
  }

  String insertEpoch() {
    return "INSERT INTO parley_meta (name, value) VALUES ('epoch', ?) ON CONFLICT (name) DO NOTHING";
  }
}
