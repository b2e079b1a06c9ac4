package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;

import io.gatling.javaapi.core.Simulation;
import java.util.List;

/**
 * Room fan-out over several nodes of one cluster ({@code /ws}): {@code users} subscribers spread round-robin over
 * {@code parley.urls} (comma-separated, default {@code parley.url}), {@code publishers} publishers (default 2) on
 * the first URL, each publishing {@code messages} messages one {@code intervalMs} apart.
 */
public class ClusterFanoutSimulation extends Simulation {

  /** Room for every message of the run between two drains, plus presence pushes. */
  private static final int UNMATCHED_SLACK = 1_000;

  public ClusterFanoutSimulation() {
    BenchConfig config = BenchConfig.fromSystemProperties();
    List<String> urls = Props.list("parley.urls", config.wsUrl());
    int publishers = Props.positive("publishers", 2);
    System.out.println("parley-gatling: " + config + " parley.urls=" + urls + " publishers=" + publishers);
    ClusterFanoutScenario scenario = new ClusterFanoutScenario(config, urls, publishers);
    setUp(
            scenario.subscribers()
                .injectOpen(RunSetup.ramp(config)),
            scenario.publishers().injectOpen(atOnceUsers(publishers)))
        .protocols(RunSetup.protocol(config, publishers * config.messages() + UNMATCHED_SLACK))
        .assertions(RunSetup.passCriteria(config, FanoutSteps.VERDICT, config.users(), FanoutSteps.TIMED));
  }
}
