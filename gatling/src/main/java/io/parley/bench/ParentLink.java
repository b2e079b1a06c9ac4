package io.parley.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child's side of a {@code --processes} run: at each barrier it prints {@code BARRIER <name>} and waits for the
 * parent's {@code go} on standard input, so that every shard connects, holds and closes at the same moments. When
 * standard input ends the parent is gone, and the child exits rather than hold sockets nobody will close.
 */
final class ParentLink {

  static final String BARRIER = "BARRIER ";
  static final String GO = "go";

  private final BlockingQueue<String> lines;

  private ParentLink(BlockingQueue<String> lines) {
    this.lines = lines;
  }

  /** The link when this process was started by a parent ({@code --child}), else one whose barriers do nothing. */
  static ParentLink of(BenchOptions options) {
    if (!options.flag("child")) {
      return new ParentLink(null);
    }
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> readUntilParentGone(lines), "bench-parent-link");
    reader.setDaemon(true);
    reader.start();
    return new ParentLink(lines);
  }

  private static void readUntilParentGone(BlockingQueue<String> lines) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line.trim());
      }
    } catch (IOException e) {
      // Treated as the parent's end, below.
    }
    System.out.println("[child] parent gone (standard input closed): exiting");
    System.exit(1);
  }

  /** Announces barrier {@code name} and waits for the parent to release it; fails after {@code maxSeconds}. */
  void await(String name, int maxSeconds) throws InterruptedException {
    if (lines == null) {
      return;
    }
    System.out.println(BARRIER + name);
    String line = lines.poll(maxSeconds, TimeUnit.SECONDS);
    if (!GO.equals(line)) {
      throw new IllegalStateException("barrier " + name + ": no go from the parent within " + maxSeconds + " s");
    }
  }

  boolean attached() {
    return lines != null;
  }
}
