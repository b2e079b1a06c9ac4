package io.parley;

import io.parley.testing.ParleyProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code parley --help} and {@code parley --version} as real processes: they answer on stdout with exit code 0,
 * without reading any configuration (the named file does not exist) and without starting a node.
 */
class ProcessHelpVersionTest {

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);
  private static final List<String> MISSING_CONF = List.of("--conf", "no/such/parley.json");

  private ParleyProcess process;

  @AfterEach
  void kill() {
    if (process != null) {
      process.close();
    }
  }

  @Test
  @DisplayName("--help: the usage on stdout, exit code 0, nothing on stderr")
  void help() {
    process = ParleyProcess.start(List.of("--help"), Map.of());
    assertEquals(0, process.awaitExit(EXIT_TIMEOUT), process::output);
    String stdout = String.join("\n", process.stdout());
    assertTrue(stdout.startsWith("usage:") && stdout.contains("token USER") && stdout.contains("--version"), stdout);
    assertEquals(List.of(), process.stderr(), process::output);
  }

  @Test
  @DisplayName("--version: one line, parley and pom.xml's version, exit code 0, whatever the configuration")
  void version() throws IOException {
    List<String> args = new java.util.ArrayList<>(List.of("--version"));
    args.addAll(MISSING_CONF);
    process = ParleyProcess.start(args, Map.of());
    assertEquals(0, process.awaitExit(EXIT_TIMEOUT), process::output);
    assertEquals(List.of("parley " + LaunchArgsTest.pomVersion()), process.stdout(), process::output);
    assertEquals(List.of(), process.stderr(), process::output);
  }
}
