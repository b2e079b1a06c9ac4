package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the tests, started from the machine's installation ({@link PostgresInstall}): its own
 * data folder in a fresh temp directory, its own port on 127.0.0.1, its unix socket inside that directory, and
 * scram-sha-256 passwords on TCP, so that the store's user and password settings are really checked.
 * <p>
 * {@link #shared()} is the one server of the JVM (one initdb per run), stopped and deleted by a shutdown hook;
 * each test takes a fresh database from it with {@link #createDatabase()}.
 */
public final class PostgresServer implements AutoCloseable {

  /** A database of the server, owned by its store user; {@link #url()} is what store.url takes. */
  public record Database(String name, int port, String user, String password) {

    public String url() {
      return "postgresql://127.0.0.1:" + port + "/" + name;
    }

    public String jdbcUrl() {
      return "jdbc:" + url();
    }

    /** A JDBC connection as the store user, as the store would open it. */
    public Connection connect() throws SQLException {
      return PostgresServer.connect(jdbcUrl(), user, password);
    }
  }

  private static final String ADMIN = "parley_admin";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
  private static final int PG_CTL_WAIT_SECONDS = 60;
  private static final int BIND_ATTEMPTS = 3;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;
  private static IllegalStateException sharedFailure;

  private final PostgresInstall install;
  private final Path dir;
  private final String adminPassword = randomToken(24);
  private final String user = "parley_" + randomToken(6).toLowerCase();
  private final String password = randomToken(24);
  private final Thread shutdownHook = new Thread(this::close, "postgres-reaper");
  private int port;
  private boolean running;
  private boolean closed;

  private PostgresServer(PostgresInstall install, Path dir) {
    this.install = install;
    this.dir = dir;
  }

  /**
   * The JVM's server, started on first use (again if it was closed); a shutdown hook stops and deletes it. If it
   * cannot start, every later call fails at once with the same error rather than trying again in every test class.
   */
  public static synchronized PostgresServer shared() {
    if (sharedFailure != null) {
      throw new IllegalStateException(sharedFailure.getMessage(), sharedFailure);
    }
    if (shared == null || shared.closed) {
      try {
        shared = start();
      } catch (IllegalStateException e) {
        sharedFailure = e;
        throw e;
      }
    }
    return shared;
  }

  /** A server of its own, for a test that must not share one (another initdb); prints how long it took. */
  public static PostgresServer start() {
    long began = System.nanoTime();
    PostgresInstall install = PostgresInstall.find();
    PostgresServer server = new PostgresServer(install, install.createDirectory("parley-postgres-", "socket"));
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.initdb();
      long initdbMs = millisSince(began);
      long startBegan = System.nanoTime();
      server.startOnFreePort();
      long startMs = millisSince(startBegan);
      long connectBegan = System.nanoTime();
      String version = server.createStoreUser();
      // the first JDBC connection of a JVM is slow (the driver loading), which the store's tests would pay anyway
      System.out.printf("PostgresServer: PostgreSQL %s on 127.0.0.1:%d in %s (initdb %d ms, server start %d ms,"
          + " first JDBC connection and store user %d ms)%n", version, server.port, server.dir, initdbMs, startMs,
          millisSince(connectBegan));
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** The server's own log (its stderr); it goes with the temp directory on close. */
  public Path logFile() {
    return dir.resolve("server.log");
  }

  /** A new empty database, owned by the store user, on its own from every other one. */
  public Database createDatabase() {
    String name = "test_" + DATABASES.incrementAndGet();
    admin("CREATE DATABASE " + name + " OWNER " + user);
    return new Database(name, port, user, password);
  }

  /** Drops the database, closing whatever connections are still open on it (a node's pool, say). */
  public void dropDatabase(Database database) {
    admin("DROP DATABASE IF EXISTS " + database.name() + " WITH (FORCE)");
  }

  /**
   * PostgreSQL's crash: an immediate-mode stop kills every server process without a checkpoint, and the next start
   * replays the WAL. What a commit acknowledged before it must be there after {@link #restart()}. The server stays
   * down (connections refused) until then. The machine does not crash: what reached the kernel survives even unsynced,
   * so this checks what a commit waits for (synchronous_commit), not fsync.
   */
  public synchronized void crash() {
    if (running) {
      running = false;
      pgCtl("stop", "-m", "immediate");
    }
  }

  /** Starts the server again on the same port: recovering after a {@link #crash()}, else after a clean stop. */
  public synchronized void restart() {
    if (running) {
      running = false;
      pgCtl("stop", "-m", "fast");
    }
    startOn(port);
  }

  /** Stops the server (nothing of it is kept) and deletes its directory. Never throws. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      crash();
    } catch (RuntimeException e) {
      System.err.println("PostgresServer: stopping the server in " + dir + " failed: " + e.getMessage());
    }
    PostgresInstall.deleteRecursively(dir);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // this is the hook
    }
  }

  // --- starting ---

  private void initdb() {
    Path passwordFile = dir.resolve("admin-password");
    try {
      Files.writeString(passwordFile, adminPassword);
      // --no-sync: a cluster thrown away at the end of the run need not reach the disk; the server itself syncs.
      // Trust on the unix socket only: its folder is the server user's alone; TCP takes passwords.
      install.run(dir, COMMAND_TIMEOUT, () -> "", List.of(install.program("initdb"), "-D", dataDir().toString(),
          "-U", ADMIN, "--pwfile=" + passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256",
          "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"));
      Files.delete(passwordFile);
      Files.writeString(dataDir().resolve("postgresql.conf"), settings(), StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Appended to initdb's postgresql.conf (the port is given at each start, see {@link #startOn}). */
  private String settings() {
    return """

        # --- PostgresServer (test harness) ---
        listen_addresses = '127.0.0.1'
        # inside the temp directory: /var/run/postgresql may be absent, or another server's
        unix_socket_directories = '%s'
        # the store tests measure durability: a commit is acknowledged once its WAL is flushed
        fsync = on
        synchronous_commit = on
        full_page_writes = on
        # three nodes with pools of ~10, plus the tests' own connections, with room to spare
        max_connections = 100
        shared_buffers = 32MB
        # compiling short test queries only costs time
        jit = off
        lc_messages = 'C'
        log_timezone = 'UTC'
        timezone = 'UTC'
        """.formatted(dir.resolve("socket"));
  }

  /** A port may be taken between choosing it and binding it; then another one is tried. */
  private void startOnFreePort() {
    for (int attempt = 1; ; attempt++) {
      long logSize = logSize();
      try {
        startOn(TestNodes.freePort());
        return;
      } catch (IllegalStateException e) {
        if (attempt == BIND_ATTEMPTS || !logSince(logSize).contains("could not bind")) {
          throw e;
        }
      }
    }
  }

  /** pg_ctl -w returns once the server accepts connections (after any crash recovery), or fails. */
  private synchronized void startOn(int port) {
    this.port = port;
    pgCtl("start", "-l", logFile().toString(), "-o", "-p " + port);
    running = true;
  }

  /** The store user: no superuser, owner of the test databases, with a password the tests must give. */
  private String createStoreUser() {
    try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
      try (ResultSet version = statement.executeQuery("SHOW server_version")) {
        version.next();
        return version.getString(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the store user: " + e.getMessage() + logTail(), e);
    }
  }

  // --- running things ---

  private void admin(String sql) {
    try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL refused " + sql + ": " + e.getMessage(), e);
    }
  }

  private Connection adminConnection() throws SQLException {
    return connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres", ADMIN, adminPassword);
  }

  private static Connection connect(String jdbcUrl, String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl, properties);
  }

  private void pgCtl(String action, String... options) {
    List<String> command = new ArrayList<>(List.of(install.program("pg_ctl"), action, "-D", dataDir().toString(),
        "-w", "-t", String.valueOf(PG_CTL_WAIT_SECONDS)));
    command.addAll(List.of(options));
    install.run(dir, COMMAND_TIMEOUT, this::logTail, command);
  }

  // --- files ---

  private Path dataDir() {
    return dir.resolve("data");
  }

  private String logTail() {
    return "\n--- the end of server.log:\n" + PostgresInstall.tail(logFile());
  }

  private long logSize() {
    try {
      return Files.exists(logFile()) ? Files.size(logFile()) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private String logSince(long offset) {
    try {
      byte[] log = Files.readAllBytes(logFile());
      return new String(log, (int) Math.min(offset, log.length), (int) Math.max(0, log.length - offset),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String randomToken(int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder token = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      token.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return token.toString();
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
