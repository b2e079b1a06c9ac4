package io.parley.gatling;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.util.List;
import java.util.function.Function;

/**
 * A scenario run by a {@link RampedSimulation}: its name, the request that judges each user, and what every such
 * scenario is made of (the run's settings, the protocol steps, the run's clock).
 */
abstract class RampedScenario {

  protected final BenchConfig config;
  protected final ProtocolSteps protocol;
  protected final RunClock clock = new RunClock();
  /** E.g. {@code idle}; the report shows it with the transport. */
  final String title;
  /** The request every user ends with: the run passes only if every user passes it. */
  final String verdict;
  /** The requests whose p99 must stay under {@code p99Ms}, as the report names them. */
  final List<String> timed;

  protected RampedScenario(BenchConfig config, Wire wire, String title, String verdict, List<String> timed) {
    this.config = config;
    this.protocol = new ProtocolSteps(config, wire);
    this.title = title;
    this.verdict = verdict;
    this.timed = timed;
  }

  /** The scenario for users connecting to {@code url}. */
  abstract ScenarioBuilder build(String name, Function<Session, String> url);

  /** Frames one user may receive between two of its requests, which Gatling buffers until the next drain. */
  abstract int unmatchedBuffer();
}
