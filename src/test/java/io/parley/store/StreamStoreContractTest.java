package io.parley.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every durable {@link StreamStore} does, whatever keeps it: each store's test extends this with how to make
 * a new store and how to open the same one again.
 */
abstract class StreamStoreContractTest {

  /** Short, so that the sweep tests wait little. */
  static final long SWEEP_INTERVAL_MS = 100;
  private static final long WAIT_SECONDS = 10;

  /** A new, empty store. */
  abstract StreamStore create() throws Exception;

  /** The store {@link #create()} made last, opened again after it was closed. */
  abstract StreamStore reopen() throws Exception;

  StreamStore store;

  @BeforeEach
  void createStore() throws Exception {
    store = create();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  @DisplayName("appended messages are loaded and read back in seq order, each stream on its own")
  void appendThenLoadAndRead() {
    long now = System.currentTimeMillis();
    for (long seq = 1; seq <= 10; seq++) {
      store.append(entry("r:a", seq, "a" + seq));
      store.append(entry("r:ab", seq, "ab" + seq));
    }
    await(store.append(new StreamEntry("r:a", 11, 42, now + 60_000, "peer", "{\"x\":\"é\"}")));

    StreamTail tail = store.load("r:a", 3, now);
    assertEquals(11, tail.latest());
    assertEquals(0, tail.acked());
    assertEquals(List.of(9L, 10L, 11L), seqs(tail.messages()));
    assertEquals(new StreamEntry("r:a", 11, 42, now + 60_000, "peer", "{\"x\":\"é\"}"), tail.messages().get(2));
    assertEquals(List.of(5L, 6L, 7L), seqs(store.read("r:a", 4, 3, now)));
    assertEquals(entry("r:a", 5, "a5"), store.read("r:a", 4, 1, now).get(0));
    assertEquals(List.of(), store.read("r:a", 11, 10, now));
    assertEquals(List.of(1L, 2L), seqs(store.read("r:ab", 0, 2, now)));
    assertEquals("ab1", store.read("r:ab", 0, 1, now).get(0).data());
    assertEquals(StreamTail.EMPTY, store.load("r:none", 10, now));
    assertEquals(List.of(), store.load("r:a", 0, now).messages());
  }

  @Test
  @DisplayName("appending a seq again keeps the first message, in one commit or in two")
  void reappendKeepsTheFirst() {
    await(store.append(entry("r:a", 1, "first")));
    await(store.append(entry("r:a", 1, "again")));
    Future<Void> one = store.append(entry("r:a", 2, "first"));
    Future<Void> other = store.append(entry("r:a", 2, "again"));
    await(one);
    await(other);

    List<StreamEntry> stored = store.read("r:a", 0, 10, System.currentTimeMillis());
    assertEquals(List.of(1L, 2L), seqs(stored));
    assertEquals(List.of("first", "first"), stored.stream().map(StreamEntry::data).toList());
    assertEquals(2, store.load("r:a", 10, System.currentTimeMillis()).latest());
  }

  @Test
  @DisplayName("the acknowledged seq only rises, and is kept for a stream with no message")
  void ackOnlyRaises() {
    await(store.append(entry("u:bob", 1, "m")));
    await(store.ack("u:bob", 5));
    await(store.ack("u:bob", 3));
    assertEquals(5, store.load("u:bob", 10, System.currentTimeMillis()).acked());

    await(store.ack("u:quiet", 7));
    StreamTail quiet = store.load("u:quiet", 10, System.currentTimeMillis());
    assertEquals(0, quiet.latest());
    assertEquals(7, quiet.acked());
  }

  @Test
  @DisplayName("a trim drops the messages up to its seq, also ones appended with it, and their conversation")
  void trimDropsUpTo() {
    for (long seq = 1; seq <= 10; seq++) {
      store.append(new StreamEntry("u:alice", seq, seq, Long.MAX_VALUE, "bob", "m" + seq));
    }
    store.trim("u:alice", 4);
    for (long seq = 11; seq <= 12; seq++) {
      store.append(new StreamEntry("u:alice", seq, seq, Long.MAX_VALUE, "bob", "m" + seq));
    }
    store.trim("u:alice", 8);
    store.trim("u:other", 8);
    await(store.ack("u:alice", 1));

    long now = System.currentTimeMillis();
    assertEquals(List.of(9L, 10L, 11L, 12L), seqs(store.read("u:alice", 0, 100, now)));
    assertEquals(List.of(9L, 10L, 11L, 12L), seqs(store.readWithPeer("u:alice", "bob", 0, 100, now)));
    assertEquals(12, store.load("u:alice", 100, now).latest());

    await(store.append(new StreamEntry("u:alice", 13, 13, Long.MAX_VALUE, "bob", "m13")));
    store.trim("u:alice", 13);
    await(store.ack("u:alice", 2));
    StreamTail emptied = store.load("u:alice", 100, now);
    assertEquals(13, emptied.latest());
    assertEquals(List.of(), emptied.messages());
    assertEquals(List.of(), store.readWithPeer("u:alice", "bob", 0, 100, now));
  }

  @Test
  @DisplayName("expired messages are left out of reads at once, and the sweep removes them")
  void expiryByTime() {
    long now = System.currentTimeMillis();
    long soon = now + 300;
    store.append(new StreamEntry("u:alice", 1, now, soon, "bob", "short"));
    store.append(new StreamEntry("u:alice", 2, now, Long.MAX_VALUE, "bob", "forever"));
    await(store.append(new StreamEntry("u:alice", 3, now, soon, null, "short")));

    assertEquals(List.of(1L, 2L, 3L), seqs(store.read("u:alice", 0, 10, now)));
    long later = soon + 1;
    assertEquals(List.of(2L), seqs(store.read("u:alice", 0, 10, later)));
    assertEquals(List.of(2L), seqs(store.load("u:alice", 10, later).messages()));
    assertEquals(List.of(2L), seqs(store.readWithPeer("u:alice", "bob", 0, 10, later)));
    assertEquals(List.of(2L), seqs(store.read("u:alice", 0, 1, later)), "the limit counts kept messages only");

    waitUntil(() -> seqs(store.read("u:alice", 0, 10, Long.MIN_VALUE)).equals(List.of(2L)), "the sweep");
    assertEquals(List.of(2L), seqs(store.readWithPeer("u:alice", "bob", 0, 10, Long.MIN_VALUE)));
    assertEquals(3, store.load("u:alice", 10, Long.MIN_VALUE).latest());
  }

  @Test
  @DisplayName("a stream's latest seq outlives all its messages, swept or trimmed")
  void latestOutlivesMessages() {
    long now = System.currentTimeMillis();
    for (long seq = 1; seq <= 3; seq++) {
      await(store.append(new StreamEntry("r:gone", seq, now, now - 1, null, "m")));
      await(store.append(entry("r:trimmed", seq, "m")));
    }
    store.trim("r:trimmed", 3);
    await(store.ack("r:trimmed", 1));

    waitUntil(() -> store.read("r:gone", 0, 10, Long.MIN_VALUE).isEmpty(), "the sweep");
    assertEquals(new StreamTail(3, 0, List.of()), store.load("r:gone", 10, now));
    assertEquals(new StreamTail(3, 1, List.of()), store.load("r:trimmed", 10, now));
  }

  @Test
  @DisplayName("a conversation is the newest messages with that peer above since, oldest first")
  void readWithPeer() {
    String[] peers = {"bob", "carol", "bob", null, "bob", "carol", "bobby"};
    for (int i = 0; i < peers.length; i++) {
      store.append(new StreamEntry("u:alice", i + 1, i, Long.MAX_VALUE, peers[i], "m" + (i + 1)));
    }
    await(store.append(new StreamEntry("u:alicia", 1, 0, Long.MAX_VALUE, "bob", "elsewhere")));

    long now = System.currentTimeMillis();
    assertEquals(List.of(3L, 5L), seqs(store.readWithPeer("u:alice", "bob", 0, 2, now)));
    assertEquals(List.of(1L, 3L, 5L), seqs(store.readWithPeer("u:alice", "bob", 0, 10, now)));
    assertEquals(List.of(5L), seqs(store.readWithPeer("u:alice", "bob", 3, 10, now)));
    assertEquals(List.of(2L, 6L), seqs(store.readWithPeer("u:alice", "carol", 0, 10, now)));
    assertEquals(List.of(7L), seqs(store.readWithPeer("u:alice", "bobby", 0, 10, now)));
    assertEquals(List.of(), store.readWithPeer("u:alice", "bo", 0, 10, now));
    assertEquals(List.of(), store.readWithPeer("u:alice", "bob", 0, 0, now));
    assertEquals(new StreamEntry("u:alice", 5, 4, Long.MAX_VALUE, "bob", "m5"),
        store.readWithPeer("u:alice", "bob", 4, 1, now).get(0));
  }

  @Test
  @DisplayName("closed and opened again, the store keeps every stream, its heads and its epoch")
  void reopenKeepsEverything() throws Exception {
    long now = System.currentTimeMillis();
    String epoch = store.epoch();
    assertNotNull(epoch);
    for (long seq = 1; seq <= 20; seq++) {
      store.append(new StreamEntry("u:alice", seq, seq, now + 3_600_000, seq % 2 == 0 ? "bob" : "carol", "m" + seq));
    }
    store.trim("u:alice", 5);
    await(store.ack("u:alice", 12));
    store.close();

    store = reopen();
    assertEquals(epoch, store.epoch());
    StreamTail tail = store.load("u:alice", 5, now);
    assertEquals(20, tail.latest());
    assertEquals(12, tail.acked());
    assertEquals(List.of(16L, 17L, 18L, 19L, 20L), seqs(tail.messages()));
    assertEquals(15, store.read("u:alice", 0, 100, now).size());
    assertEquals(List.of(16L, 18L, 20L), seqs(store.readWithPeer("u:alice", "bob", 0, 3, now)));

    await(store.append(new StreamEntry("u:alice", 21, 21, now + 3_600_000, "bob", "m21")));
    assertEquals(21, store.load("u:alice", 1, now).latest());
  }

  @Test
  @DisplayName("a new store has an epoch of its own")
  void newStoreNewEpoch() throws Exception {
    StreamStore other = create();
    try {
      assertNotNull(store.epoch());
      assertNotEquals(store.epoch(), other.epoch());
    } finally {
      other.close();
    }
  }

  @Test
  @DisplayName("append and ack futures complete on the caller's context, once the write is readable")
  void futuresCompleteOnCallersContext() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      for (Context context : List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext(),
          ((VertxInternal) vertx).createWorkerContext())) {
        CompletableFuture<Context> appended = new CompletableFuture<>();
        CompletableFuture<Context> acked = new CompletableFuture<>();
        long seq = store.load("u:ctx", 0, 0).latest() + 1;
        context.runOnContext(v -> {
          store.append(entry("u:ctx", seq, "m")).onComplete(done -> {
            boolean readable = store.read("u:ctx", seq - 1, 1, 0).size() == 1;
            if (done.succeeded() && readable) {
              appended.complete(Vertx.currentContext());
            } else {
              appended.completeExceptionally(new AssertionError("done " + done + ", readable " + readable));
            }
          });
          store.ack("u:ctx", seq).onSuccess(done -> acked.complete(Vertx.currentContext()));
        });
        assertSame(context, appended.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertSame(context, acked.get(WAIT_SECONDS, TimeUnit.SECONDS));
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("appends from many threads to many streams at once all land")
  void concurrentAppends() throws Exception {
    int threads = 8;
    int perThread = 250;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 1; i <= perThread; i++) {
            await(store.append(entry("r:" + (i % 50), thread * perThread + i, "t" + thread)));
          }
        }));
      }
      for (java.util.concurrent.Future<?> one : done) {
        one.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdown();
    }
    int total = 0;
    for (int stream = 0; stream < 50; stream++) {
      total += store.read("r:" + stream, 0, 10_000, 0).size();
    }
    assertEquals(threads * perThread, total);
  }

  @Test
  @DisplayName("after close, writes fail with the store unavailable")
  void writesAfterCloseFail() {
    store.close();
    Throwable failure = assertThrows(Exception.class, () -> await(store.append(entry("r:a", 1, "late"))));
    assertTrue(failure.toString().contains(StoreUnavailableException.class.getSimpleName()), failure.toString());
  }

  static StreamEntry entry(String stream, long seq, String data) {
    return new StreamEntry(stream, seq, 1000 + seq, Long.MAX_VALUE, null, data);
  }

  static List<Long> seqs(List<StreamEntry> entries) {
    return entries.stream().map(StreamEntry::seq).toList();
  }

  static void await(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void waitUntil(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + WAIT_SECONDS * 1000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(what + " did not happen within " + WAIT_SECONDS + " s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
