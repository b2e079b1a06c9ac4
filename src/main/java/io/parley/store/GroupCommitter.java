package io.parley.store;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The store's one writer: a thread that takes every write queued since its last commit and commits them as one
 * transaction (one fsync for SQLite, one round of commit for PostgreSQL), then completes their futures on their
 * callers' contexts. Under load the batches grow by themselves, which is what keeps durable publishing fast.
 * Between batches it drops expired messages, every {@code sweepIntervalMs}.
 */
final class GroupCommitter {

  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);
  /** Beyond this many writes in one transaction, commit and start the next: bounds a commit's latency. */
  static final int MAX_BATCH = 2000;
  private static final long RETRY_PAUSE_MS = 200;

  private final SqlDialect dialect;
  private final ConnectionSource connections;
  private final long sweepIntervalMs;
  private final LongConsumer batchObserver;
  private final LinkedBlockingQueue<StoreWrite> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private Connection connection;
  private volatile boolean running = true;
  private long lastSweepMs = System.currentTimeMillis();

  /** Opens a connection for the writer (autocommit off); called again after a connection broke. */
  interface ConnectionSource {
    Connection open() throws SQLException;
  }

  GroupCommitter(SqlDialect dialect, ConnectionSource connections, long sweepIntervalMs, LongConsumer batchObserver) {
    this.dialect = dialect;
    this.connections = connections;
    this.sweepIntervalMs = sweepIntervalMs;
    this.batchObserver = batchObserver;
    this.thread = new Thread(this::run, "parley-store-writer");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void submit(StoreWrite write) {
    if (!running) {
      fail(List.of(write), new IllegalStateException("the store is closed"));
      return;
    }
    queue.add(write);
  }

  /** Commits what is queued, then stops. */
  void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeConnection();
  }

  private void run() {
    List<StoreWrite> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        StoreWrite first = running ? queue.poll(sweepIntervalMs, TimeUnit.MILLISECONDS) : queue.poll();
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
          commit(batch);
          batch.clear();
        }
        sweepWhenDue();
      } catch (InterruptedException e) {
        // stop() asked: the loop commits what is left, then ends
      }
    }
  }

  private void commit(List<StoreWrite> batch) {
    try {
      Connection c = connection();
      write(c, batch);
      c.commit();
      batchObserver.accept(batch.size());
      complete(batch);
    } catch (SQLException | RuntimeException e) {
      log.atWarn().setMessage("event=store_commit_failed").addKeyValue("writes", batch.size())
          .addKeyValue("error", e.toString()).log();
      rollbackQuietly();
      closeConnection();
      fail(batch, e);
      pause();
    }
  }

  private void write(Connection c, List<StoreWrite> batch) throws SQLException {
    Map<String, Long> latest = new HashMap<>();
    try (PreparedStatement insert = c.prepareStatement(dialect.insertMessage());
         PreparedStatement acks = c.prepareStatement(dialect.raiseAcked());
         PreparedStatement trims = c.prepareStatement("DELETE FROM parley_messages WHERE stream = ? AND seq <= ?")) {
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
      try (PreparedStatement raise = c.prepareStatement(dialect.raiseLatest())) {
        for (Map.Entry<String, Long> stream : latest.entrySet()) {
          raise.setString(1, stream.getKey());
          raise.setLong(2, stream.getValue());
          raise.addBatch();
        }
        raise.executeBatch();
      }
    }
  }

  private void sweepWhenDue() {
    long now = System.currentTimeMillis();
    if (now - lastSweepMs < sweepIntervalMs) {
      return;
    }
    lastSweepMs = now;
    try {
      Connection c = connection();
      int dropped;
      try (PreparedStatement sweep = c.prepareStatement("DELETE FROM parley_messages WHERE expires_at < ?")) {
        sweep.setLong(1, now);
        dropped = sweep.executeUpdate();
      }
      c.commit();
      if (dropped > 0) {
        log.atDebug().setMessage("event=store_expired").addKeyValue("messages", dropped).log();
      }
    } catch (SQLException e) {
      log.atWarn().setMessage("event=store_sweep_failed").addKeyValue("error", e.toString()).log();
      rollbackQuietly();
      closeConnection();
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = connections.open();
    }
    return connection;
  }

  private void rollbackQuietly() {
    try {
      if (connection != null) {
        connection.rollback();
      }
    } catch (SQLException ignored) {
      // the connection is closed next anyway
    }
  }

  private void closeConnection() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // nothing more to release
    }
    connection = null;
  }

  private void pause() {
    try {
      Thread.sleep(RETRY_PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One hand-over per caller context, not one per write: a batch is mostly a few event loops' writes. */
  private static void complete(List<StoreWrite> batch) {
    Map<Context, List<Promise<Void>>> byContext = new IdentityHashMap<>();
    for (StoreWrite write : batch) {
      if (write.done() == null) {
        continue;
      }
      if (write.context() == null) {
        write.done().tryComplete();
      } else {
        byContext.computeIfAbsent(write.context(), c -> new ArrayList<>()).add(write.done());
      }
    }
    byContext.forEach((context, promises) -> context.runOnContext(v -> promises.forEach(Promise::tryComplete)));
  }

  private static void fail(List<StoreWrite> batch, Throwable cause) {
    StoreUnavailableException failure = new StoreUnavailableException(cause);
    for (StoreWrite write : batch) {
      if (write.done() == null) {
        continue;
      }
      if (write.context() == null) {
        write.done().tryFail(failure);
      } else {
        write.context().runOnContext(v -> write.done().tryFail(failure));
      }
    }
  }
}
