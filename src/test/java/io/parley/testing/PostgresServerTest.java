package io.parley.testing;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tests' PostgreSQL server is real: password-checked, one independent database per call, durable commits. */
class PostgresServerTest {

  @Test
  @DisplayName("the JDBC driver connects as the generated user over TCP on 127.0.0.1, with durable settings")
  void connects() throws SQLException {
    PostgresServer server = PostgresServer.shared();
    PostgresServer.Database database = server.createDatabase();
    assertEquals("postgresql://127.0.0.1:" + server.port() + "/" + database.name(), database.url());
    assertEquals("jdbc:" + database.url(), database.jdbcUrl());
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(),
        database.password())) {
      assertEquals(database.user(), query(connection, "SELECT current_user"));
      assertEquals(database.name(), query(connection, "SELECT current_database()"));
      assertEquals("127.0.0.1/32", query(connection, "SELECT inet_server_addr()::text"));
      assertEquals("false", query(connection, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"),
          "the store must not rely on superuser rights");
      assertEquals("on", query(connection, "SHOW fsync"));
      assertEquals("on", query(connection, "SHOW synchronous_commit"));
      assertTrue(Integer.parseInt(query(connection, "SHOW max_connections")) >= 50);
    }
  }

  @Test
  @DisplayName("a wrong password is refused")
  void wrongPassword() {
    PostgresServer server = PostgresServer.shared();
    PostgresServer.Database database = server.createDatabase();
    SQLException refused = assertThrows(SQLException.class,
        () -> DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password() + "x").close());
    assertEquals("28P01", refused.getSQLState(), "invalid_password: " + refused.getMessage());
  }

  @Test
  @DisplayName("two databases are independent; a dropped one is gone")
  void independentDatabases() throws SQLException {
    PostgresServer server = PostgresServer.shared();
    PostgresServer.Database first = server.createDatabase();
    PostgresServer.Database second = server.createDatabase();
    assertNotEquals(first.name(), second.name());
    try (Connection connection = first.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE messages (body text)");
      statement.execute("INSERT INTO messages VALUES ('only in the first')");
    }
    try (Connection connection = second.connect()) {
      assertNull(query(connection, "SELECT to_regclass('messages')::text"), "a fresh database is empty");
    }

    server.dropDatabase(first);
    SQLException gone = assertThrows(SQLException.class, () -> first.connect().close());
    assertEquals("3D000", gone.getSQLState(), "invalid_catalog_name: " + gone.getMessage());
    try (Connection connection = second.connect()) {
      assertEquals("1", query(connection, "SELECT 1"));
    }
  }

  @Test
  @DisplayName("a committed row survives a crash (immediate stop) and restart; an uncommitted one does not")
  void committedRowSurvivesCrash() throws SQLException {
    PostgresServer server = PostgresServer.shared();
    PostgresServer.Database database = server.createDatabase();
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE messages (body text)");
      statement.execute("INSERT INTO messages VALUES ('committed')");
    }
    Connection open = database.connect();
    open.setAutoCommit(false);
    try (Statement statement = open.createStatement()) {
      statement.execute("INSERT INTO messages VALUES ('in flight')");
    }

    server.crash();
    try {
      SQLException down = assertThrows(SQLException.class, () -> database.connect().close());
      assertEquals("08001", down.getSQLState(), "connection refused while down: " + down.getMessage());
      assertThrows(SQLException.class, open::commit, "the crash ended the open transaction");
    } finally {
      open.close();
      server.restart();
    }

    try (Connection connection = database.connect()) {
      assertEquals(List.of("committed"), column(connection, "SELECT body FROM messages"));
    }
  }

  @Test
  @DisplayName("without PostgreSQL installed, the error says how to install it")
  void missingInstallation() {
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> PostgresInstall.binDir(Path.of("/nonexistent"), List.of(Path.of("/nonexistent/bin"))));
    assertTrue(missing.getMessage().contains("apt-get install postgresql"), missing.getMessage());
  }

  private static String query(Connection connection, String sql) throws SQLException {
    List<String> values = column(connection, sql);
    assertEquals(1, values.size(), sql);
    return values.get(0);
  }

  private static List<String> column(Connection connection, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }
}
