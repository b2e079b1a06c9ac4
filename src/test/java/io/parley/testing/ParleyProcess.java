package io.parley.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code io.parley.ParleyMain} in a JVM of its own, on this JVM's class path, with the Hazelcast flags the jar's
 * manifest carries. Its stdout and stderr are pumped into line lists the test can wait on. The environment is this
 * one's without any {@code PARLEY_*} variable, plus the ones given. {@link #close()} kills it if still running.
 */
public final class ParleyProcess implements AutoCloseable {

  /** The JVM flags Hazelcast needs on Java 17 (pom.xml's hazelcast.jvm.args). */
  public static final List<String> HAZELCAST_JVM_ARGS = List.of("--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
  // Small and quick to start: a test node needs neither a large heap nor the optimizing compiler.
  private static final List<String> TEST_JVM_ARGS = List.of("-Xmx256m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-Dhazelcast.phone.home.enabled=false");

  private final Process process;
  private final Lines stdout;
  private final Lines stderr;

  private ParleyProcess(Process process) {
    this.process = process;
    this.stdout = new Lines(process.getInputStream(), "parley-stdout-" + process.pid());
    this.stderr = new Lines(process.getErrorStream(), "parley-stderr-" + process.pid());
  }

  private static String storeFolder() {
    try {
      return java.nio.file.Files.createTempDirectory("parley-process-store").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code java ... io.parley.ParleyMain <args>} with {@code env} as its only PARLEY_* variables. */
  public static ParleyProcess start(List<String> args, Map<String, String> env) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(HAZELCAST_JVM_ARGS);
    command.addAll(TEST_JVM_ARGS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.parley.ParleyMain");
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("PARLEY_"));
    // conf/parley.json keeps an embedded store in ./data: a folder of the test's own, not one in the checkout
    builder.environment().put("PARLEY_STORE_PATH", storeFolder());
    builder.environment().putAll(env);
    try {
      return new ParleyProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** Waits for a stdout line containing {@code fragment} and returns it; AssertionError on timeout or exit. */
  public String awaitStdout(String fragment, Duration timeout) {
    return stdout.await(fragment, timeout, this::describe);
  }

  /**
   * SIGTERM on Linux: the JVM runs its shutdown hooks. Sent through the process handle because
   * {@link Process#destroy()} also closes our ends of stdout and stderr right after signalling, which would lose
   * (and make the child fail to write) everything it logs while shutting down.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /**
   * Waits for the process to exit by itself and for all of its output to be read; returns the exit code.
   * AssertionError if it is still running after {@code timeout}.
   */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("process still running after " + timeout.toMillis() + " ms; " + describe());
      }
      stdout.awaitEnd(Duration.ofSeconds(5));
      stderr.awaitEnd(Duration.ofSeconds(5));
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public List<String> stdout() {
    return stdout.snapshot();
  }

  public List<String> stderr() {
    return stderr.snapshot();
  }

  /** stdout then stderr, one string, for assertions on what the process said and for failure messages. */
  public String output() {
    return String.join("\n", stdout()) + "\n" + String.join("\n", stderr());
  }

  private String describe() {
    return (process.isAlive() ? "running" : "exited with " + process.exitValue()) + "; stdout:\n"
        + String.join("\n", stdout()) + "\nstderr:\n" + String.join("\n", stderr());
  }

  /** Kills the process (and waits a little for it) if it is still running. Never throws. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The lines of one output stream, read by a daemon thread until the stream ends. */
  private static final class Lines {
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    Lines(InputStream in, String threadName) {
      Thread pump = new Thread(() -> pump(in), threadName);
      pump.setDaemon(true);
      pump.start();
    }

    private void pump(InputStream in) {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          add(line);
        }
      } catch (IOException e) {
        // the process was killed: the stream is simply over
      } finally {
        end();
      }
    }

    private synchronized void add(String line) {
      lines.add(line);
      notifyAll();
    }

    private synchronized void end() {
      ended = true;
      notifyAll();
    }

    synchronized List<String> snapshot() {
      return List.copyOf(lines);
    }

    synchronized String await(String fragment, Duration timeout, java.util.function.Supplier<String> describe) {
      long deadline = System.nanoTime() + timeout.toNanos();
      int checked = 0;
      while (true) {
        for (; checked < lines.size(); checked++) {
          if (lines.get(checked).contains(fragment)) {
            return lines.get(checked);
          }
        }
        if (ended) {
          throw new AssertionError("output ended without \"" + fragment + "\"; " + describe.get());
        }
        if (!waitUntil(deadline)) {
          throw new AssertionError("no \"" + fragment + "\" within " + timeout.toMillis() + " ms; " + describe.get());
        }
      }
    }

    synchronized void awaitEnd(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!ended) {
        if (!waitUntil(deadline)) {
          throw new AssertionError("output not closed within " + timeout.toMillis() + " ms");
        }
      }
    }

    private boolean waitUntil(long deadline) {
      return Poll.awaitNotify(this, deadline, "output");
    }
  }
}
