package io.parley.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the bench reads from one node: RSS and CPU from {@code /proc/<pid>} (same machine only), heap used and
 * connection count from its {@code /metrics}. Every figure is -1 when it cannot be read.
 */
final class NodeProbe {

  /** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every x86-64 and arm64 Linux. */
  private static final long TICKS_PER_SECOND = 100;

  /** HTTP/1.1, as Prometheus scrapes: the JDK's default (HTTP/2) would add an h2c upgrade to every probe. */
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final int pid;
  private final URI metrics;

  NodeProbe(int pid, URI wsUrl) {
    this.pid = pid;
    String scheme = wsUrl.getScheme().equals("wss") ? "https" : "http";
    this.metrics = URI.create(scheme + "://" + wsUrl.getHost() + ":" + wsUrl.getPort() + "/metrics");
  }

  int pid() {
    return pid;
  }

  /** Resident set size in bytes (VmRSS). */
  long rssBytes() {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** User plus system CPU time in nanoseconds since the node started. */
  long cpuNanos() {
    return processCpuNanos(pid);
  }

  /** User plus system CPU time of any process on this machine, or -1 when it cannot be read (or is gone). */
  static long processCpuNanos(long pid) {
    return pid <= 0 ? -1 : cpuNanosOf(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** The sum of several readings, or -1 when any of them is unknown. */
  static long total(long[] readings) {
    long total = 0;
    for (long reading : readings) {
      if (reading < 0) {
        return -1;
      }
      total += reading;
    }
    return total;
  }

  /** The bench process's own CPU time, read the same way as the node's. */
  static long selfCpuNanos() {
    return cpuNanosOf(Path.of("/proc/self/stat"));
  }

  /** CPU time used by every process on the machine (the first line of /proc/stat less idle and iowait). */
  static long hostBusyNanos() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy * (1_000_000_000L / TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The 1-minute load average, to show how busy the shared machine was. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "-";
    }
  }

  private static long cpuNanosOf(Path stat) {
    try {
      String text = Files.readString(stat);
      // Field 2 (comm) may contain spaces: count fields after its closing parenthesis. utime/stime are 14 and 15.
      String[] fields = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Sum of {@code jvm_memory_used_bytes{area="heap"}} over the heap pools. */
  long heapUsedBytes() {
    return sumMetric("jvm_memory_used_bytes{", "area=\"heap\"");
  }

  /** Sum of {@code parley_connections} over transports. */
  long connections() {
    return sumMetric("parley_connections{", "");
  }

  /**
   * {@code {batches, pushes}} so far from {@code parley_fanout_batch_pushes} (one scrape for both): how many room
   * pushes the node's gateways handed to a room's members together (one write per member for each batch).
   */
  long[] fanoutBatches() {
    String text = scrape();
    return new long[]{sum(text, "parley_fanout_batch_pushes_count", ""), sum(text, "parley_fanout_batch_pushes_sum", "")};
  }

  private long sumMetric(String prefix, String mustContain) {
    return sum(scrape(), prefix, mustContain);
  }

  /** The node's /metrics text, or null when it cannot be read. */
  private String scrape() {
    try {
      return HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The sum of the series starting with {@code prefix} and containing {@code mustContain}; -1 if none. */
  private static long sum(String text, String prefix, String mustContain) {
    if (text == null) {
      return -1;
    }
    try {
      double sum = 0;
      boolean found = false;
      for (String line : text.split("\n")) {
        if (line.startsWith(prefix) && line.contains(mustContain)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          found = true;
        }
      }
      return found ? (long) sum : -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * Asks the node for a full GC through {@code jcmd <pid> GC.run} (a local attach: same machine and user only), so
   * that heap used measures live data. Returns false when jcmd is missing or fails.
   */
  boolean forceGc() {
    if (pid <= 0) {
      return false;
    }
    try {
      Process jcmd = new ProcessBuilder("jcmd", Integer.toString(pid), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return jcmd.waitFor(60, TimeUnit.SECONDS) && jcmd.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
