package io.parley.gatling;

import io.gatling.javaapi.core.Simulation;
import java.util.function.BiFunction;

/**
 * A simulation of one {@link RampedScenario} whose {@code users} arrive over {@code rampSeconds}, over one
 * transport. It passes only if every user reaches the scenario's verdict and passes it, no request fails and every
 * timed request's p99 is under {@code p99Ms} (see {@link RunSetup}).
 */
abstract class RampedSimulation extends Simulation {

  protected RampedSimulation(Transport transport, BiFunction<BenchConfig, Wire, RampedScenario> scenarios) {
    BenchConfig config = BenchConfig.fromSystemProperties();
    RampedScenario scenario = scenarios.apply(config, transport.wire);
    System.out.println("parley-gatling: " + config + " " + scenario);
    setUp(scenario.build(scenario.title + " (" + transport.label + ")", transport.url(config))
            .injectOpen(RunSetup.ramp(config)))
        .protocols(RunSetup.protocol(config, scenario.unmatchedBuffer()))
        .assertions(RunSetup.passCriteria(config, scenario.verdict, config.users(), scenario.timed));
  }
}
