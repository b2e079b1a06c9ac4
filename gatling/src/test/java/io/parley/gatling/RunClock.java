package io.parley.gatling;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The start of injection, set by the first user to arrive, and pauses up to a point in time relative to it. There
 * is no barrier across virtual users, so phases that need everyone (e.g. publish once all have joined) start at
 * fixed offsets; a straggler shows up as a failed check, never as a hang.
 */
final class RunClock {

  private final AtomicLong startMillis = new AtomicLong();

  void markStart() {
    startMillis.compareAndSet(0, System.currentTimeMillis());
  }

  /** Time since the start. */
  Duration elapsed() {
    return Duration.ofMillis(System.currentTimeMillis() - startMillis.get());
  }

  /** The pause from now until {@code sinceStart} after the start; zero once that is past. */
  Duration until(Duration sinceStart) {
    long at = startMillis.get() + sinceStart.toMillis();
    return Duration.ofMillis(Math.max(0, at - System.currentTimeMillis()));
  }
}
