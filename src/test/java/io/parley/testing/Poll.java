package io.parley.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The tests' two ways of waiting for something to happen: polling a condition, or a monitor's notify. */
public final class Poll {

  private static final long POLL_INTERVAL_MS = 20;

  private Poll() {
  }

  /**
   * Checks {@code condition} every few milliseconds until it holds; false if it still does not after
   * {@code timeout}, or once the thread is interrupted (the interrupt flag stays set).
   */
  public static boolean until(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
        return false;
      }
      Http.sleep(POLL_INTERVAL_MS);
    }
    return true;
  }

  /**
   * Waits on {@code monitor}, whose lock the caller holds, for a notify; false once {@code deadline} (a
   * {@link System#nanoTime()}) has passed. {@code what} names what is awaited, for the interrupted case.
   */
  public static boolean awaitNotify(Object monitor, long deadline, String what) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    try {
      TimeUnit.NANOSECONDS.timedWait(monitor, left);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }
}
