package io.parley.store;

import io.parley.testing.PostgresServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * A microbenchmark, not a test: {@code producers} threads each append one message to one of {@code streams}
 * streams and wait for its future, again and again for {@code seconds} (after a warm-up), as publishers do.
 * Messages are ~150 bytes and expire in a day; every 16th seq of a stream trims it to its newest 200, as
 * StreamTier does. Prints acknowledged appends per second and the latency from append to its future.
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.parley.store.StoreBench rocks 64 20 1000
 * </pre>
 * Kinds: {@code rocks} (a fresh folder under target/) or {@code postgres} (the tests' own server).
 */
public final class StoreBench {

  private static final long WARM_UP_MS = 3_000;
  private static final int KEEP = 200;
  private static final String BODY = "{\"from\":\"user-0042\",\"ts\":1767225600000,\"body\":\"" + "x".repeat(90) + "\"}";

  private StoreBench() {
  }

  public static void main(String[] args) throws Exception {
    String kind = args.length > 0 ? args[0] : "rocks";
    int producers = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int streams = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
    AtomicLong batches = new AtomicLong();
    Path folder = Path.of("target", "store-bench-" + System.currentTimeMillis()).toAbsolutePath();
    Result result;
    try (StreamStore store = open(kind, folder, batches)) {
      result = run(store, producers, seconds, streams, batches);
    }
    System.out.printf("%s: %d producers, %d streams, %d s: %d acked/s, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms,"
            + " max %.1f ms, %.1f appends per commit%s%n", kind, producers, streams, seconds,
        result.acked / seconds, result.percentileMs(50), result.percentileMs(99), result.percentileMs(99.9),
        result.percentileMs(100), result.perCommit,
        kind.equals("rocks") ? ", " + sizeMb(folder) + " MB on disk after close" : "");
    if (kind.equals("rocks")) {
      deleteFolder(folder);
    }
    System.exit(0);
  }

  private static StreamStore open(String kind, Path folder, AtomicLong batches) throws Exception {
    return switch (kind) {
      case "rocks" -> RocksStreamStore.open(folder, 60_000, n -> batches.incrementAndGet());
      case "postgres" -> {
        PostgresServer.Database db = PostgresServer.shared().createDatabase();
        yield JdbcStreamStore.postgres(db.url(), db.user(), db.password(), 60_000, n -> batches.incrementAndGet());
      }
      default -> throw new IllegalArgumentException("kind: rocks or postgres, not " + kind);
    };
  }

  private record Result(long acked, long[] latenciesNs, double perCommit) {

    double percentileMs(double percentile) {
      if (latenciesNs.length == 0) {
        return 0;
      }
      int index = (int) Math.min(latenciesNs.length - 1, Math.ceil(percentile / 100 * latenciesNs.length) - 1);
      return latenciesNs[Math.max(0, index)] / 1e6;
    }
  }

  private static Result run(StreamStore store, int producers, int seconds, int streams, AtomicLong batches)
      throws InterruptedException {
    AtomicLongArray seqs = new AtomicLongArray(streams);
    long start = System.nanoTime();
    long measureFrom = start + TimeUnit.MILLISECONDS.toNanos(WARM_UP_MS);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    long[][] latencies = new long[producers][];
    int[] counts = new int[producers];
    long[] batchesAtStart = new long[1];
    Thread[] threads = new Thread[producers];
    for (int p = 0; p < producers; p++) {
      int producer = p;
      threads[p] = new Thread(() -> {
        long[] mine = new long[1 << 16];
        int count = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
          int stream = random.nextInt(streams);
          long seq = seqs.incrementAndGet(stream);
          String name = "r:room-" + stream;
          if (seq % 16 == 0) {
            store.trim(name, seq - KEEP);
          }
          long wall = System.currentTimeMillis();
          store.append(new StreamEntry(name, seq, wall, wall + 86_400_000L, null, BODY))
              .toCompletionStage().toCompletableFuture().join();
          if (now >= measureFrom) {
            if (count == mine.length) {
              mine = Arrays.copyOf(mine, mine.length * 2);
            }
            mine[count++] = System.nanoTime() - now;
          }
        }
        latencies[producer] = mine;
        counts[producer] = count;
      }, "bench-producer-" + p);
      threads[p].start();
    }
    Thread.sleep(WARM_UP_MS);
    batchesAtStart[0] = batches.get();
    for (Thread thread : threads) {
      thread.join();
    }
    long acked = Arrays.stream(counts).asLongStream().sum();
    long[] all = new long[(int) acked];
    int at = 0;
    for (int p = 0; p < producers; p++) {
      System.arraycopy(latencies[p], 0, all, at, counts[p]);
      at += counts[p];
    }
    Arrays.sort(all);
    long commits = Math.max(1, batches.get() - batchesAtStart[0]);
    return new Result(acked, all, (double) acked / commits);
  }

  private static void deleteFolder(Path folder) throws Exception {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  private static long sizeMb(Path folder) throws Exception {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum() >> 20;
    }
  }
}
