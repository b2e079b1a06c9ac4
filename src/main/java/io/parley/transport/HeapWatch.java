package io.parley.transport;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How full the heap is, for {@code limits.maxHeapFraction}: the used part of every heap pool but the young
 * generation's eden (which fills with garbage between collections and would read as "full" on a healthy node),
 * over the maximum heap. Read at most every {@link #SAMPLE_NANOS}: one reading serves a storm of connections.
 * JVM-wide, as the heap is.
 */
final class HeapWatch {

  private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final List<MemoryPoolMXBean> POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP && !pool.getName().contains("Eden"))
      .toList();
  private static final long MAX_HEAP = Runtime.getRuntime().maxMemory();
  private static volatile long sampledAt = System.nanoTime() - 2 * SAMPLE_NANOS;
  private static volatile double fraction;

  private HeapWatch() {
  }

  /** The heap outside eden in use, as a fraction of the maximum heap (0 where there is no maximum). */
  static double usedFraction() {
    long now = System.nanoTime();
    if (now - sampledAt > SAMPLE_NANOS) {
      long used = 0;
      for (MemoryPoolMXBean pool : POOLS) {
        used += pool.getUsage().getUsed();
      }
      fraction = MAX_HEAP <= 0 || MAX_HEAP == Long.MAX_VALUE ? 0 : (double) used / MAX_HEAP;
      sampledAt = now;
    }
    return fraction;
  }
}
