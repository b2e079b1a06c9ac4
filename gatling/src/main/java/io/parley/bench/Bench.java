package io.parley.bench;

/**
 * The parley load generator: {@code Bench <idle|fanout|cluster|chat> [--option value ...]} (see BENCH.md). It
 * prints a progress line each second, stops by itself and prints one summary line, prefixed {@code SUMMARY}.
 */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) {
    BenchOptions options;
    Scenario scenario;
    try {
      options = BenchOptions.parse(args);
      scenario = switch (options.scenario) {
        case "idle" -> new IdleScenario(options);
        case "fanout", "cluster" -> new FanoutScenario(options);
        case "chat" -> new ChatScenario(options);
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
}
