package io.parley.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Delivery latencies in microseconds: writers on any event-loop thread record without locking; the progress
 * ticker swaps out each second's interval histogram and folds it into the run's total.
 */
final class Latency {

  private static final long MAX_MICROS = 600_000_000L;

  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final Histogram total = new Histogram(MAX_MICROS, 3);
  private Histogram interval;

  void recordNanos(long nanos) {
    recorder.recordValue(Math.min(Math.max(nanos / 1000, 0), MAX_MICROS));
  }

  /** Takes the values recorded since the last call, adds them to the total and returns them (one thread only). */
  synchronized Histogram sample() {
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    return interval;
  }

  /** The run so far, including what was recorded since the last sample. */
  synchronized Histogram total() {
    sample();
    return total;
  }

  static String ms(Histogram h, double percentile) {
    if (h.getTotalCount() == 0) {
      return "-";
    }
    return String.format("%.2fms", h.getValueAtPercentile(percentile) / 1000.0);
  }

  static String maxMs(Histogram h) {
    return h.getTotalCount() == 0 ? "-" : String.format("%.2fms", h.getMaxValue() / 1000.0);
  }

  /** {@code p50=.. p99=.. p999=.. max=..} */
  static String summary(String prefix, Histogram h) {
    return prefix + "p50=" + ms(h, 50) + " " + prefix + "p99=" + ms(h, 99) + " " + prefix + "p999=" + ms(h, 99.9)
        + " " + prefix + "max=" + maxMs(h);
  }
}
