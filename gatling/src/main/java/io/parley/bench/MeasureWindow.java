package io.parley.bench;

import io.netty.channel.EventLoopGroup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The timed part of a fanout or chat run, from the moment it is opened: W warm-up seconds, whose latencies are not
 * recorded (the generator's and the node's JIT are still at work), then D measured seconds. CPU is read over the
 * whole window and deliveries per second are divided by it, so both scenarios report the same arithmetic.
 */
final class MeasureWindow {

  private final CpuWindow cpu;
  private final PushesPerWrite pushesPerWrite;
  private final LoopLag lag;
  private final int warmupSeconds;
  private final int durationSeconds;
  private final long start;
  private final long warmupEnd;
  private final long end;
  /** Deliveries at the previous progress line; the progress thread alone touches it. */
  private long deliveredBefore;

  /** Opens the window now: takes the CPU start readings, then starts the clock and the loops' lag probes. */
  MeasureWindow(List<NodeProbe> probes, EventLoopGroup loops, int warmupSeconds, int durationSeconds) {
    this.cpu = CpuWindow.ofThisProcess(probes);
    this.pushesPerWrite = new PushesPerWrite(probes);
    this.warmupSeconds = warmupSeconds;
    this.durationSeconds = durationSeconds;
    this.start = System.nanoTime();
    this.warmupEnd = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
    this.end = warmupEnd + TimeUnit.SECONDS.toNanos(durationSeconds);
    this.lag = new LoopLag(loops, warmupEnd);
  }

  double secondsSinceStart(long now) {
    return (now - start) / 1e9;
  }

  /** Publishers stop at the end of the window; what is still in flight is the drain's. */
  boolean isOver(long now) {
    return now >= end;
  }

  /** Whether a delivery's latency counts: its message was sent (body nanoTime, MIN_VALUE if none) after the warm-up. */
  boolean times(long sentNanos) {
    return sentNanos != Long.MIN_VALUE && sentNanos - warmupEnd >= 0;
  }

  void awaitEnd() throws InterruptedException {
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
  }

  /** Takes the CPU end readings; call once the publishers have stopped, before the drain. */
  void stop() {
    cpu.stop();
    lag.stop();
    pushesPerWrite.stop();
  }

  /**
   * The head of a progress line, {@code [(warm-up) ]sent=.. acked=.. delivered=D (N/s)}, where N is the deliveries
   * since the previous line (one a second). {@code delivered} comes first so it is read before the publish counts.
   */
  String progress(long delivered, String publishCounts) {
    long perSecond = delivered - deliveredBefore;
    deliveredBefore = delivered;
    return (System.nanoTime() < warmupEnd ? "(warm-up) " : "") + publishCounts + " delivered=" + delivered
        + " (" + perSecond + "/s)";
  }

  /** The window's length in seconds, from its opening to {@link #stop}. */
  double wallSeconds() {
    return cpu.wallNanos() / 1e9;
  }

  /** {@code duration=Ds+Ws}. */
  String durationField() {
    return "duration=" + durationSeconds + "s+" + warmupSeconds + "s";
  }

  /** {@code deliveries/s=..}: over the whole window, warm-up included (after {@link #stop}). */
  String deliveriesPerSecond(long deliveries) {
    return "deliveries/s=" + Scenario.rate(deliveries / (cpu.wallNanos() / 1e9));
  }

  /**
   * The node, generator and host CPU over the window, the room pushes per write the nodes made
   * ({@code fanout.batchIntervalMs} and busy loops batch them), and the generator's loop lag (after {@link #stop}).
   */
  String cpuSummary() {
    return cpu.summary() + " " + pushesPerWrite.summary() + " " + lag.summary();
  }
}
