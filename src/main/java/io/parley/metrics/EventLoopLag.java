package io.parley.metrics;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * Measures how late a timer fires on the event loop it was set on: the time that loop was busy or blocked
 * before it could run the next task. Every connection on the loop waits that long too, so this is the
 * delay a node adds to every frame in the worst moments, whatever their cause (a long task, GC, a slow lock).
 */
public final class EventLoopLag {

  static final long INTERVAL_MS = 20;
  private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);

  private final Vertx vertx;
  private final Timer lag;
  private long due;

  /** Call from the context whose loop is to be measured: the timers run on it. */
  public EventLoopLag(Vertx vertx, Timer lag) {
    this.vertx = vertx;
    this.lag = lag;
  }

  public void start() {
    due = System.nanoTime() + INTERVAL_NANOS;
    vertx.setTimer(INTERVAL_MS, id -> fired());
  }

  private void fired() {
    lag.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
    start();
  }
}
