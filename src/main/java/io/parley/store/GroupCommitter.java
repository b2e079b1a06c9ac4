package io.parley.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A store's one writer: a thread that takes every write queued since its last commit and hands them to its
 * {@link BatchTarget} as one durable commit (one fsync), then completes their futures on their callers' contexts.
 * Under load the batches grow by themselves, which is what keeps durable publishing fast. Between batches it has
 * expired messages dropped, every {@code sweepIntervalMs}. What is engine-specific is the target's.
 */
final class GroupCommitter {

  /** How one engine writes a batch and drops what expired. Called on the writer thread only. */
  interface BatchTarget {

    /** Writes every write of {@code batch} as one commit; returns only once it is durable, throws if it is not. */
    void commit(List<StoreWrite> batch) throws Exception;

    /**
     * Drops messages that expired before {@code now}, at most about {@code max} where the engine can bound it;
     * returns how many it dropped ({@code max} or more: some may remain, and the next sweep comes sooner).
     */
    int sweep(long now, int max) throws Exception;

    /** After a failed commit or sweep: forget what the failure may have broken (a connection). */
    void reset();
  }

  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);
  /** Beyond this many writes in one commit, commit and start the next: bounds a commit's latency. */
  static final int MAX_BATCH = 2000;
  /** A sweep drops at most this many at a time, so that writes wait for no long sweep. */
  static final int SWEEP_CHUNK = 10_000;
  private static final long RETRY_PAUSE_MS = 200;
  private static final long STOP_WAIT_MS = 10_000;

  private final BatchTarget target;
  private final long sweepIntervalMs;
  private final LongConsumer batchObserver;
  private final LinkedBlockingQueue<StoreWrite> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private long lastSweepMs = System.currentTimeMillis();
  /** The last sweep stopped at its chunk: sweep again after the next batch, not an interval later. */
  private boolean sweepUnfinished;

  GroupCommitter(BatchTarget target, long sweepIntervalMs, LongConsumer batchObserver) {
    this.target = target;
    this.sweepIntervalMs = sweepIntervalMs;
    this.batchObserver = batchObserver;
    this.thread = new Thread(this::run, "parley-store-writer");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Completes, on the caller's context, once the entry is committed. */
  Future<Void> append(StreamEntry entry) {
    Promise<Void> done = Promise.promise();
    submit(StoreWrite.append(entry, Vertx.currentContext(), done));
    return done.future();
  }

  /** Completes, on the caller's context, once the raised ack is committed. */
  Future<Void> ack(String stream, long seq) {
    Promise<Void> done = Promise.promise();
    submit(StoreWrite.ack(stream, seq, Vertx.currentContext(), done));
    return done.future();
  }

  /** Written with the next commit; nobody waits for it. */
  void trim(String stream, long upTo) {
    if (upTo > 0) {
      submit(StoreWrite.trim(stream, upTo));
    }
  }

  private void submit(StoreWrite write) {
    if (!running) {
      fail(List.of(write), new IllegalStateException("the store is closed"));
      return;
    }
    queue.add(write);
  }

  /** Commits what is queued, then stops; false if the thread did not end in time (it may still use the target). */
  boolean stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(STOP_WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  private void run() {
    List<StoreWrite> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        long wait = sweepUnfinished ? 0 : sweepIntervalMs;
        StoreWrite first = running ? queue.poll(wait, TimeUnit.MILLISECONDS) : queue.poll();
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
          commit(batch);
          batch.clear();
        }
        if (running) {
          sweepWhenDue();
        }
      } catch (InterruptedException e) {
        // stop() asked: the loop commits what is left, then ends
      }
    }
  }

  private void commit(List<StoreWrite> batch) {
    try {
      target.commit(batch);
      batchObserver.accept(batch.size());
      complete(batch);
    } catch (Exception e) {
      log.atWarn().setMessage("event=store_commit_failed").addKeyValue("writes", batch.size())
          .addKeyValue("error", e.toString()).log();
      target.reset();
      fail(batch, e);
      pause();
    }
  }

  private void sweepWhenDue() {
    long now = System.currentTimeMillis();
    if (!sweepUnfinished && now - lastSweepMs < sweepIntervalMs) {
      return;
    }
    lastSweepMs = now;
    try {
      int dropped = target.sweep(now, SWEEP_CHUNK);
      sweepUnfinished = dropped >= SWEEP_CHUNK;
      if (dropped > 0) {
        log.atDebug().setMessage("event=store_expired").addKeyValue("messages", dropped).log();
      }
    } catch (Exception e) {
      log.atWarn().setMessage("event=store_sweep_failed").addKeyValue("error", e.toString()).log();
      sweepUnfinished = false;
      target.reset();
    }
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
