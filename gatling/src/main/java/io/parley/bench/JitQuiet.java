package io.parley.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Waits for this JVM's JIT to go quiet after the warm-up. On a busy machine the compiler threads fall behind, so
 * the compilations the warm-up asked for would otherwise run during the timed connect phase and count as
 * generator CPU.
 */
final class JitQuiet {

  private static final long QUIET_MILLIS = 500;
  private static final long MAX_MILLIS = 15_000;

  private JitQuiet() {}

  /** Returns once the total compilation time has not grown for half a second, or after 15 s. */
  static void await(Progress progress) throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    progress.show("warming up", () -> "waiting for the JIT to finish: " + jit.getTotalCompilationTime() + " ms compiled");
    long deadline = System.currentTimeMillis() + MAX_MILLIS;
    long last = jit.getTotalCompilationTime();
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(QUIET_MILLIS);
      long now = jit.getTotalCompilationTime();
      if (now == last) {
        return;
      }
      last = now;
    }
  }
}
