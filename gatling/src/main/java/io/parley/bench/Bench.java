package io.parley.bench;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

/**
 * The parley load generator: {@code Bench <idle|fanout|cluster|chat|history|publish|rejoin> [--option value ...]} (see BENCH.md). It
 * prints a progress line each second, stops by itself and prints one summary line, prefixed {@code SUMMARY}.
 */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) {
    // Netty's debug lines (Gatling's logback logs at DEBUG) would be repeated by every --processes child.
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    BenchOptions options;
    Scenario scenario;
    int processes;
    try {
      options = BenchOptions.parse(args);
      processes = ShardedRun.processes(options);
      if (processes > 1) {
        options.secret();
        runSharded(options, processes);
        return;
      }
      scenario = switch (options.scenario) {
        case "idle" -> new IdleScenario(options);
        case "fanout", "cluster" -> new FanoutScenario(options);
        case "chat" -> new ChatScenario(options);
        case "history" -> new HistoryScenario(options);
        case "publish" -> new PublishScenario(options);
        case "rejoin" -> new RejoinScenario(options);
        default -> throw new IllegalArgumentException("unknown scenario " + options.scenario);
      };
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    int status = 0;
    try {
      System.out.println("[" + options.scenario + "] transport=" + WsClient.transportName() + " urls=" + scenario.urls
          + " run-id=" + scenario.runId);
      System.out.println("SUMMARY " + scenario.run());
    } catch (Exception e) {
      System.out.println("[" + options.scenario + "] failed: " + e);
      e.printStackTrace();
      status = 1;
    } finally {
      scenario.shutdown();
    }
    System.exit(status);
  }

  private static void runSharded(BenchOptions options, int processes) {
    int status;
    try {
      status = new ShardedRun(options, processes).run();
    } catch (Exception e) {
      System.out.println("[idle] failed: " + e);
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }
}
