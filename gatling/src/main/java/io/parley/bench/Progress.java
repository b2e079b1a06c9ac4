package io.parley.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints one progress line per second, prefixed with the scenario and the seconds since start. */
final class Progress implements AutoCloseable {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-progress");
    t.setDaemon(true);
    return t;
  });
  private final long start = System.nanoTime();
  private final String scenario;
  private volatile Supplier<String> line = () -> "";

  Progress(String scenario) {
    this.scenario = scenario;
    timer.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
  }

  /** Switches what the line shows (each phase has its own). */
  void show(String phase, Supplier<String> details) {
    this.line = () -> phase + " " + details.get();
  }

  private void print() {
    try {
      long seconds = Math.round((System.nanoTime() - start) / 1e9);
      System.out.println("[" + scenario + " " + seconds + "s] " + line.get());
    } catch (RuntimeException e) {
      System.out.println("[" + scenario + "] progress failed: " + e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
