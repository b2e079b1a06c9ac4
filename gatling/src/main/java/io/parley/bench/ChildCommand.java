package io.parley.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line of one child of a {@code --processes} run: this JVM's executable, options and class path, and
 * this run's arguments with the child's {@code --shard}. The secret is never on it (it goes by environment).
 */
final class ChildCommand {

  /** Options the parent sets per child, or drops: the secret travels in the environment, not on a command line. */
  private static final Set<String> REPLACED = Set.of("processes", "shard", "run-id", "secret", "gc", "child");

  private ChildCommand() {}

  static List<String> of(BenchOptions options, int index, int count, String runId) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Bench.class.getName());
    command.addAll(options.argumentsWithout(REPLACED));
    command.addAll(List.of("--shard", index + "/" + count, "--processes", "1", "--run-id", runId, "--child"));
    if (options.flag("gc") && index == 0) {
      // Shard 0 alone reads the node's figures; one forced GC is enough.
      command.add("--gc");
    }
    return command;
  }
}
