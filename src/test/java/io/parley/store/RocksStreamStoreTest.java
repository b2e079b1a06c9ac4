package io.parley.store;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract on RocksDB, and what only an embedded store has: its folder, its lock, its log, a killed process. */
@DisplayName("the embedded RocksDB store keeps the store contract")
class RocksStreamStoreTest extends StreamStoreContractTest {

  @TempDir
  Path dir;
  private Path folder;
  private int stores;

  @Override
  StreamStore create() throws RocksDBException {
    folder = dir.resolve("store-" + ++stores);
    return reopen();
  }

  @Override
  StreamStore reopen() throws RocksDBException {
    return RocksStreamStore.open(folder, SWEEP_INTERVAL_MS, batch -> { });
  }

  @Test
  @DisplayName("an append's future completes only after a sync of the write-ahead log that followed it")
  void appendCompletesAfterSync() throws Exception {
    RocksStreamStore rocks = (RocksStreamStore) store;
    Vertx vertx = Vertx.vertx();
    try {
      Context context = vertx.getOrCreateContext();
      List<CompletableFuture<Boolean>> syncedFirst = new ArrayList<>();
      for (long seq = 1; seq <= 50; seq++) {
        CompletableFuture<Boolean> synced = new CompletableFuture<>();
        syncedFirst.add(synced);
        long entrySeq = seq;
        context.runOnContext(v -> {
          long syncsBefore = rocks.walSyncs();
          store.append(entry("r:synced", entrySeq, "m")).onComplete(done ->
              synced.complete(done.succeeded() && rocks.walSyncs() > syncsBefore));
        });
      }
      for (CompletableFuture<Boolean> synced : syncedFirst) {
        assertTrue(synced.get(10, TimeUnit.SECONDS));
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("a folder open in one store is refused to a second (RocksDB's lock): two nodes cannot share it")
  void secondOpenIsRefused() {
    RocksDBException refused = assertThrows(RocksDBException.class, this::reopen);
    assertTrue(refused.getMessage().contains("lock"), refused.getMessage());
  }

  @Test
  @DisplayName("close flushes the memtables: the next open has no log to replay")
  void closeLeavesNoLogToReplay() throws Exception {
    for (long seq = 1; seq <= 2000; seq++) {
      store.append(entry("r:" + seq % 100, seq, "x".repeat(150)));
    }
    await(store.ack("r:0", 1));
    assertTrue(logBytes() > 300_000, logBytes() + " bytes of log before close");
    store.close();
    assertEquals(0, logBytes(), "bytes of log after close");
    store = reopen();
    assertEquals(2000, LongStream.range(0, 100).map(s -> store.read("r:" + s, 0, 100, 0).size()).sum());
  }

  /**
   * The in-process way (stop the first store's writer, leave it open, open a second on the folder) is refused by
   * RocksDB's lock ({@link #secondOpenIsRefused}); so the writer runs in a JVM of its own, which is killed.
   */
  @Test
  @DisplayName("killed with kill -9 while appending, the store reopens with every acknowledged message and its epoch")
  void killedWriterLosesNothingAcknowledged() throws Exception {
    store.close();
    Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), KilledStoreWriter.class.getName(), folder.toString())
        .redirectErrorStream(true).start();
    String epoch = null;
    long acked = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
        StandardCharsets.UTF_8))) {
      long deadline = System.currentTimeMillis() + 30_000;
      for (String line; acked < 300 && (line = out.readLine()) != null; ) {
        if (line.startsWith("epoch ")) {
          epoch = line.substring("epoch ".length());
        } else if (line.startsWith("acked ")) {
          acked = Long.parseLong(line.substring("acked ".length()));
        }
        assertTrue(System.currentTimeMillis() < deadline, "the writer acknowledged only " + acked);
      }
      writer.destroyForcibly();
      assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
    } finally {
      writer.destroyForcibly();
    }
    assertEquals(300, acked, "the writer ended before it was killed");

    store = reopen();
    assertEquals(epoch, store.epoch());
    StreamTail tail = store.load(KilledStoreWriter.STREAM, 1, 0);
    assertTrue(tail.latest() >= acked, "latest " + tail.latest() + " below acknowledged " + acked);
    List<Long> stored = seqs(store.read(KilledStoreWriter.STREAM, 0, (int) tail.latest(), 0));
    assertEquals(LongStream.rangeClosed(1, tail.latest()).boxed().toList(), stored);
    assertEquals(tail.latest() / 3, store.readWithPeer(KilledStoreWriter.STREAM, "peer", 0, 10_000, 0).size());
  }

  private long logBytes() throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(file -> file.getFileName().toString().endsWith(".log")).mapToLong(file -> {
        try {
          return Files.size(file);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }
}
