package io.parley.testing;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds the Hazelcast partition thread that owns a key of a map until closed: every operation on that key (and on
 * the other partitions of that thread) waits meanwhile, as on a busy or dying member. One at a time per JVM.
 */
public final class PartitionStall implements AutoCloseable {

  private static volatile CountDownLatch started;
  private static volatile CountDownLatch release;

  private PartitionStall() {
  }

  /** Runs the stall on the key's owner through {@code hazelcast}; returns once the partition thread is held. */
  public static PartitionStall hold(HazelcastInstance hazelcast, String map, String key) throws InterruptedException {
    started = new CountDownLatch(1);
    release = new CountDownLatch(1);
    hazelcast.getMap(map).submitToKey(key, new Stall());
    assertTrue(started.await(5, TimeUnit.SECONDS), "the partition thread did not run the stall");
    return new PartitionStall();
  }

  @Override
  public void close() {
    release.countDown();
  }

  /** Static latches: Hazelcast may run a copy of the processor. */
  private static final class Stall implements EntryProcessor<Object, Object, Boolean>, ReadOnly {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<Object, Object> entry) {
      started.countDown();
      try {
        return release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
