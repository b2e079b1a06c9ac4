package io.parley.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the Node side of the browser tests ({@code src/test/js}): installs its pinned packages with {@code npm ci}
 * when missing, runs a script, echoes and keeps its output, and hands each stdout line to a listener.
 */
final class NodeScript {

  static final Path DIR = Path.of("src", "test", "js").toAbsolutePath();
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final int MIN_NODE_MAJOR = 20;
  private static volatile int nodeMajor = MIN_NODE_MAJOR;

  /** What a finished script left: its exit code and every line it printed (stdout and stderr). */
  record Result(int exitCode, List<String> lines) {

    String output() {
      return String.join("\n", lines);
    }

    /** The value of {@code key=value} on the script's {@code RESULT} line. */
    Optional<String> result(String key) {
      Pattern pattern = Pattern.compile("(?:^|\\s)" + Pattern.quote(key) + "=(\\S+)");
      return lines.stream().filter(line -> line.startsWith("RESULT ")).map(pattern::matcher)
          .filter(Matcher::find).map(m -> m.group(1)).findFirst();
    }
  }

  private NodeScript() {
  }

  /** Fails (never skips) when Chromium is missing: the tests must run wherever the build runs. */
  static void requireChromium() {
    if (!Files.isExecutable(CHROMIUM)) {
      fail(CHROMIUM + " is missing: the browser tests need Debian's Chromium: apt-get install chromium");
    }
  }

  /** The packages of {@code package.json}: {@code npm ci} runs when one of them is missing. */
  private static final List<String> PACKAGES = List.of("playwright-core", "sockjs-client");

  /** Checks for Node.js and runs {@code npm ci} when {@code node_modules} lacks a package. */
  static void prepare() {
    Result version = run(List.of("node", "--version"), Duration.ofSeconds(30), line -> { });
    Matcher major = Pattern.compile("^v(\\d+)\\.").matcher(version.output().trim());
    if (version.exitCode() != 0 || !major.find() || Integer.parseInt(major.group(1)) < MIN_NODE_MAJOR) {
      fail("the browser tests need Node.js " + MIN_NODE_MAJOR + "+ on the PATH (found: " + version.output() + ")");
    }
    nodeMajor = Integer.parseInt(major.group(1));
    if (!PACKAGES.stream().allMatch(name -> Files.isDirectory(DIR.resolve("node_modules").resolve(name)))) {
      Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Duration.ofMinutes(5), line -> { });
      if (install.exitCode() != 0) {
        fail("npm ci in " + DIR + " failed:\n" + install.output());
      }
    }
  }

  /** {@code node} with what a script needs that older Node versions hide behind a flag (a global WebSocket). */
  static List<String> node(String... args) {
    List<String> command = new ArrayList<>();
    command.add("node");
    if (nodeMajor < 22) {
      command.add("--experimental-websocket");
    }
    command.addAll(List.of(args));
    return command;
  }

  /** Runs {@code command} in {@link #DIR}; {@code onLine} sees each line as it comes (from a reader thread). */
  static Result run(List<String> command, Duration timeout, Consumer<String> onLine) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true);
    builder.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      fail("could not run " + String.join(" ", command) + " (is it installed and on the PATH?): " + e.getMessage());
      throw new UncheckedIOException(e);
    }
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    String prefix = "[" + String.join(" ", command.subList(0, Math.min(2, command.size()))) + "] ";
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          System.out.println(prefix + line);
          lines.add(line);
          onLine.accept(line);
        }
      } catch (IOException e) {
        lines.add("(output lost: " + e + ")");
      }
    }, "node-script-output");
    reader.start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within " + timeout + ":\n" + String.join("\n", lines));
      }
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      fail("interrupted");
    }
    return new Result(process.exitValue(), List.copyOf(lines));
  }
}
