package io.parley.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.TimeUnit;

/**
 * How late a 20 ms timer fires on each of the generator's event loops, after the warm-up: a delivery read
 * by a busy loop is timed late by as much, so a latency tail that the node's own lag ({@code
 * parley_eventloop_lag_seconds}) does not show may be the generator's. Reported as {@code gen_lag_p99} etc.
 */
final class LoopLag {

  private static final long INTERVAL_MS = 20;

  private final Latency lag = new Latency();
  private final long recordFrom;
  private volatile boolean stopped;

  LoopLag(EventLoopGroup group, long recordFromNanos) {
    this.recordFrom = recordFromNanos;
    for (EventExecutor loop : group) {
      schedule(loop);
    }
  }

  private void schedule(EventExecutor loop) {
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
    loop.schedule(() -> {
      // a sample due before stop() may fire late, while the run closes its connections: not the window's
      if (stopped) {
        return;
      }
      if (due - recordFrom >= 0) {
        lag.recordNanos(System.nanoTime() - due);
      }
      schedule(loop);
    }, INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    stopped = true;
  }

  /** {@code gen_lag_p50=.. gen_lag_p99=.. gen_lag_p999=.. gen_lag_max=..} */
  String summary() {
    return Latency.summary("gen_lag_", lag.total());
  }
}
