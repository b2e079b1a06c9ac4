package io.parley.gatling;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens when {@code expected} users have joined the room. All virtual users live in this one JVM, so publishers
 * can wait for the last join instead of guessing how long joins take: on a loaded machine a join can take
 * seconds, and a late joiner would miss the first messages.
 */
final class JoinBarrier {

  private final int expected;
  private final RunClock clock;
  private final AtomicInteger joined = new AtomicInteger();
  private volatile Duration openedAt;

  JoinBarrier(int expected, RunClock clock) {
    this.expected = expected;
    this.clock = clock;
  }

  void arrive() {
    if (joined.incrementAndGet() == expected) {
      openedAt = clock.elapsed();
    }
  }

  boolean isOpen() {
    return openedAt != null;
  }

  /** When the last user joined (since the start of the run), or {@code fallback} while that has not happened. */
  Duration openedAtOr(Duration fallback) {
    Duration at = openedAt;
    return at == null ? fallback : at;
  }
}
