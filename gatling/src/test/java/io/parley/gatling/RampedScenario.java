package io.parley.gatling;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.util.function.Function;

/**
 * A scenario run by a {@link RampedSimulation}: its name, the request that judges each user, and what every such
 * scenario is made of (the run's settings, the protocol steps, the run's clock).
 */
abstract class RampedScenario {

  protected final BenchConfig config;
  protected final ProtocolSteps protocol;
  protected final RunClock clock = new RunClock();
  private final String title;
  private final String verdict;

  /**
   * @param title   e.g. {@code idle}; the report shows it with the transport
   * @param verdict the request every user ends with: the run passes only if every user passes it
   */
  protected RampedScenario(BenchConfig config, Wire wire, String title, String verdict) {
    this.config = config;
    this.protocol = new ProtocolSteps(config, wire);
    this.title = title;
    this.verdict = verdict;
  }

  final String title() {
    return title;
  }

  final String verdict() {
    return verdict;
  }

  /** The scenario for users connecting to {@code url}. */
  abstract ScenarioBuilder build(String name, Function<Session, String> url);

  /** Frames one user may receive between two of its requests, which Gatling buffers until the next drain. */
  abstract int unmatchedBuffer();
}
