package io.parley.process;

import io.parley.testing.Http;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One parley node in a JVM of its own ({@code java ... io.parley.ParleyMain --conf FILE}), for tests that need
 * a real process to kill. Every line the node prints is kept in memory and written to {@code <dir>/<name>.log};
 * parley events, warnings and Hazelcast's membership and migration lines are echoed to the test's output. Public for
 * the browser tests ({@code io.parley.browser}), which restart a node under a page.
 */
public final class NodeProcess implements AutoCloseable {

  /** What Hazelcast needs on Java 17 (the same as the pom's {@code hazelcast.jvm.args}). */
  static final List<String> HAZELCAST_FLAGS = List.of(
      "--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
  static final String HEAP = "-Xmx256m";
  /**
   * Test-only: start faster and use fewer threads, since a test runs several nodes besides itself and Maven
   * (on a two-core machine, starting three nodes takes twice as long without these).
   */
  static final List<String> LEAN = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  /** Hazelcast's migration and membership lines, which the production logging hides, tell when a cluster is safe. */
  private static final String LOGBACK = """
      <configuration>
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} %msg%n</pattern></encoder>
        </appender>
        <logger name="com.hazelcast" level="WARN"/>
        <logger name="com.hazelcast.internal.cluster" level="INFO"/>
        <logger name="com.hazelcast.internal.partition" level="INFO"/>
        <logger name="com.hazelcast.cp.CPSubsystem" level="ERROR"/>
        <logger name="io.netty" level="WARN"/>
        <logger name="io.vertx" level="WARN"/>
        <logger name="io.micrometer.core.instrument.MeterRegistry" level="ERROR"/>
        <logger name="io.parley" level="INFO"/>
        <root level="INFO"><appender-ref ref="STDOUT"/></root>
      </configuration>
      """;
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    // Should the test JVM end abruptly (a surefire timeout), take the children along rather than leave them bound.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "node-reaper"));
  }

  private final String name;
  private final int httpPort;
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread pump;
  private volatile long killedAtNanos;

  private NodeProcess(String name, int httpPort, Process process, Writer log) {
    this.name = name;
    this.httpPort = httpPort;
    this.process = process;
    this.pump = new Thread(() -> pump(log), name + "-stdout");
    pump.setDaemon(true);
    pump.start();
  }

  /** Writes {@code config} (merged by the node over its built-in defaults) to {@code dir} and starts the node. */
  public static NodeProcess start(String name, JsonObject config, Path dir) {
    return start(name, config, dir, List.of());
  }

  /** As {@link #start(String, JsonObject, Path)}, the java command run through {@code launcher} (e.g. setpriv). */
  static NodeProcess start(String name, JsonObject config, Path dir, List<String> launcher) {
    try {
      Files.createDirectories(dir);
      Path conf = dir.resolve(name + ".json");
      Files.writeString(conf, config.encodePrettily());
      Path logback = dir.resolve("logback-process.xml");
      if (!Files.exists(logback)) {
        Files.writeString(logback, LOGBACK);
      }
      List<String> command = new ArrayList<>(launcher);
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(HAZELCAST_FLAGS);
      command.add(HEAP);
      command.addAll(LEAN);
      command.add("-Dhazelcast.phone.home.enabled=false");
      command.add("-Dlogback.configurationFile=" + logback.toAbsolutePath());
      command.add("-cp");
      command.add(classPath());
      command.add("io.parley.ParleyMain");
      command.add("--conf");
      command.add(conf.toAbsolutePath().toString());
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      LIVE.add(process);
      Writer log = Files.newBufferedWriter(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
      return new NodeProcess(name, config.getJsonObject("http").getInteger("port"), process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  // Surefire may run tests from a manifest-only jar; it names the real class path in this property.
  private static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  private void pump(Writer log) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)); log) {
      String line;
      while ((line = in.readLine()) != null) {
        log.write(line);
        log.write('\n');
        log.flush();
        if (echoed(line)) {
          System.out.println("[" + name + "] " + line);
        }
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  private static boolean echoed(String line) {
    return line.contains("event=") || line.contains(" WARN ") || line.contains(" ERROR ")
        || line.contains("Members {") || line.contains("All migration tasks") || line.startsWith("\tMember [")
        || line.contains("Exception");
  }

  String name() {
    return name;
  }

  public int httpPort() {
    return httpPort;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  int lineCount() {
    synchronized (lines) {
      return lines.size();
    }
  }

  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** The first line at or after {@code from} that matches; AssertionError if none within the time or the node died. */
  String awaitLine(int from, Predicate<String> match, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      int next = from;
      while (true) {
        for (; next < lines.size(); next++) {
          if (match.test(lines.get(next))) {
            return lines.get(next);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive() && !pump.isAlive()) {
          throw new AssertionError(name + ": no " + what + " within " + timeout.toMillis() + " ms (alive="
              + process.isAlive() + "); last lines:\n" + String.join("\n", tail(20)));
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(name + ": interrupted while waiting for " + what, e);
        }
      }
    }
  }

  /** Waits for {@code event=node_ready} and returns that line. */
  public String awaitReady(Duration timeout) {
    return awaitLine(0, line -> line.contains("event=node_ready"), timeout, "event=node_ready");
  }

  /**
   * On the master (the oldest member): waits until it has seen {@code members} members and has finished the
   * migrations that followed, so every partition has its owner and its backup. A crash before that may take
   * the only copy of some data with it, which is not the failure this package tests.
   */
  void awaitPartitionsSettled(int members, Duration timeout) {
    String size = "Members {size:" + members + ",";
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> seen = lines();
      int sized = lastIndexOf(seen, size);
      int done = lastIndexOf(seen, "All migration tasks have been completed");
      int started = lastIndexOf(seen, "Repartitioning cluster data");
      if (sized >= 0 && done > sized && done > started) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + ": partitions not settled with " + members + " members within "
            + timeout.toMillis() + " ms; last lines:\n" + String.join("\n", tail(20)));
      }
      Http.sleep(100);
    }
  }

  private static int lastIndexOf(List<String> lines, String fragment) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).contains(fragment)) {
        return i;
      }
    }
    return -1;
  }

  private List<String> tail(int count) {
    synchronized (lines) {
      return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }
  }

  /** SIGKILL (on Linux {@code destroyForcibly} is {@code kill -9}): no shutdown hook, no drain, no goodbye. */
  public void kill9() {
    killedAtNanos = System.nanoTime();
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /**
   * SIGTERM through the process handle (Process.destroy would also close our end of its output, losing the
   * drain's log lines); waits for the drain to finish and the process to exit.
   */
  void terminate() {
    killedAtNanos = System.nanoTime();
    process.toHandle().destroy();
    if (!waitFor(Duration.ofSeconds(30))) {
      close();
    }
  }

  long killedAtNanos() {
    return killedAtNanos;
  }

  /** SIGTERM (the node drains), then SIGKILL if it has not exited within {@code grace}. */
  void stop(Duration grace) {
    process.destroy();
    if (!waitFor(grace)) {
      close();
    }
  }

  private boolean waitFor(Duration timeout) {
    try {
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (exited) {
        LIVE.remove(process);
      }
      return exited;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Kills the node if it still runs. Idempotent. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    waitFor(Duration.ofSeconds(10));
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", http " + httpPort + ")";
  }
}
