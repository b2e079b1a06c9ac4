package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.forAll;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.function.Function;

/** The room fan-out load and its pass criteria, for whichever transport a subclass picks. */
abstract class FanoutSimulation extends Simulation {

  /** Room messages arriving between two drains wait here; room for all of them plus slack for pushes. */
  private static final int UNMATCHED_SLACK = 1_000;

  protected FanoutSimulation(String name, Wire wire, Function<BenchConfig, Function<Session, String>> url) {
    BenchConfig config = BenchConfig.fromSystemProperties();
    System.out.println("parley-gatling: " + config);
    setUp(new RoomFanoutScenario(config, wire)
            .build(name, url.apply(config))
            .injectOpen(rampUsers(config.users()).during(Duration.ofSeconds(config.rampSeconds()))))
        .protocols(http
            .localAddresses(config.localAddresses())
            .wsUnmatchedInboundMessageBufferSize(config.expectedPerUser() + UNMATCHED_SLACK))
        .assertions(
            global().failedRequests().count().is(0L),
            // Per request name, not global: the ~0 ms "send" entries Gatling logs would dilute a global p99.
            forAll().responseTime().percentile(99.0).lt(config.p99Ms()));
  }
}
