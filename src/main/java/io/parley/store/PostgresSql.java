package io.parley.store;

import java.util.List;

/** The SQL of {@link JdbcStreamStore}: its schema and the statements whose shape is PostgreSQL's own. */
final class PostgresSql {

  static final List<String> SCHEMA = List.of(
      "CREATE TABLE IF NOT EXISTS parley_meta (name VARCHAR(64) PRIMARY KEY, value VARCHAR(256) NOT NULL)",
      "CREATE TABLE IF NOT EXISTS parley_streams (stream VARCHAR(200) PRIMARY KEY, latest BIGINT NOT NULL,"
          + " acked BIGINT NOT NULL DEFAULT 0)",
      "CREATE TABLE IF NOT EXISTS parley_messages (stream VARCHAR(200) NOT NULL, seq BIGINT NOT NULL,"
          + " ts BIGINT NOT NULL, expires_at BIGINT NOT NULL, peer VARCHAR(200), data TEXT NOT NULL,"
          + " PRIMARY KEY (stream, seq))",
      "CREATE INDEX IF NOT EXISTS parley_messages_expiry ON parley_messages (expires_at)",
      "CREATE INDEX IF NOT EXISTS parley_messages_peer ON parley_messages (stream, peer, seq)");

  /** Nodes starting together create the schema one after the other. */
  static final String SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(7310500)";

  static final String INSERT_MESSAGE = "INSERT INTO parley_messages (stream, seq, ts, expires_at, peer, data)"
      + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (stream, seq) DO NOTHING";

  static final String RAISE_LATEST = "INSERT INTO parley_streams (stream, latest) VALUES (?, ?) ON CONFLICT (stream)"
      + " DO UPDATE SET latest = greatest(parley_streams.latest, excluded.latest)";

  static final String RAISE_ACKED = "INSERT INTO parley_streams (stream, latest, acked) VALUES (?, 0, ?)"
      + " ON CONFLICT (stream) DO UPDATE SET acked = greatest(parley_streams.acked, excluded.acked)";

  static final String TRIM = "DELETE FROM parley_messages WHERE stream = ? AND seq <= ?";

  static final String SWEEP = "DELETE FROM parley_messages WHERE expires_at < ?";

  static final String INSERT_EPOCH = "INSERT INTO parley_meta (name, value) VALUES ('epoch', ?)"
      + " ON CONFLICT (name) DO NOTHING";

  static final String SELECT_EPOCH = "SELECT value FROM parley_meta WHERE name = 'epoch'";

  private PostgresSql() {
  }
}
