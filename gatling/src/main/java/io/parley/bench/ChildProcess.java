package io.parley.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM of a {@code --processes} run: started with the parent's environment plus the secret, its output
 * (stderr merged) relayed line by line with a {@code [shard i/n]} prefix, its barriers and summary line noted.
 */
final class ChildProcess {

  private final String prefix;
  private final Process process;
  private final Set<String> barriers = ConcurrentHashMap.newKeySet();
  private final Thread relay;
  private volatile String summary;

  ChildProcess(List<String> command, String secret, int index, int count) throws IOException {
    this.prefix = "[shard " + index + "/" + count + "] ";
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PARLEY_AUTH_JWT_SECRET", secret);
    this.process = builder.start();
    this.relay = new Thread(this::relay, "bench-relay-" + index);
    relay.setDaemon(true);
    relay.start();
  }

  private void relay() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith(ParentLink.BARRIER)) {
          barriers.add(line.substring(ParentLink.BARRIER.length()).trim());
        } else if (line.startsWith("SUMMARY ")) {
          summary = line.substring("SUMMARY ".length());
        }
        System.out.println(prefix + line);
      }
    } catch (IOException e) {
      if (process.isAlive()) {
        System.out.println(prefix + "output lost: " + e);
      }
    }
  }

  boolean reached(String barrier) {
    return barriers.contains(barrier);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Lets the child past its barrier; a child that is gone is noticed by the next barrier or its exit code. */
  void release() {
    try {
      OutputStream in = process.getOutputStream();
      in.write((ParentLink.GO + "\n").getBytes(StandardCharsets.US_ASCII));
      in.flush();
    } catch (IOException e) {
      System.out.println(prefix + "could not be released: " + e);
    }
  }

  /** User plus system CPU time of the child so far, -1 once it is gone. */
  long cpuNanos() {
    return NodeProbe.processCpuNanos(process.pid());
  }

  /** Waits for the child to exit and its output to be relayed; the exit code, or -1 if it is still running. */
  int awaitExit(long deadlineNanos) throws InterruptedException {
    long left = Math.max(0, deadlineNanos - System.nanoTime());
    if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
      return -1;
    }
    relay.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadlineNanos - System.nanoTime())) + 1);
    return process.exitValue();
  }

  /** Its summary line without the {@code SUMMARY} word, or null if it printed none. */
  String summary() {
    return summary;
  }

  /** Asks the child to stop (SIGTERM), and kills it if it is still there after {@code graceMillis}. */
  void destroy(long graceMillis) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
