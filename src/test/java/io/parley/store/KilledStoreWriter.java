package io.parley.store;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Run in a JVM of its own by {@link RocksStreamStoreTest}: opens the store in the folder it is given, prints its
 * epoch, then appends to one stream without end, printing each seq once its future completed, until it is killed.
 */
public final class KilledStoreWriter {

  static final String STREAM = "r:killed";

  private KilledStoreWriter() {
  }

  public static void main(String[] args) throws Exception {
    RocksStreamStore store = RocksStreamStore.open(Path.of(args[0]), 60_000, batch -> { });
    System.out.println("epoch " + store.epoch());
    System.out.flush();
    for (long seq = 1; ; seq++) {
      store.append(new StreamEntry(STREAM, seq, seq, Long.MAX_VALUE, seq % 3 == 0 ? "peer" : null, "m" + seq))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      System.out.println("acked " + seq);
      System.out.flush();
    }
  }
}
