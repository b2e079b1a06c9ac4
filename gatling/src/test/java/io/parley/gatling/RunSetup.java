package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What every simulation shares: how its users arrive, the protocol they connect with, and when a run passes. */
final class RunSetup {

  private RunSetup() {}

  /** The users of {@code config} arrive at an even rate over {@code rampSeconds}. */
  static OpenInjectionStep ramp(BenchConfig config) {
    return rampUsers(config.users()).during(Duration.ofSeconds(config.rampSeconds()));
  }

  /**
   * Connections spread over {@code localAddresses}. Frames that arrive while a user waits without a pending request
   * wait in a buffer of {@code unmatchedBuffer} frames until its next request drains them.
   */
  static HttpProtocolBuilder protocol(BenchConfig config, int unmatchedBuffer) {
    return http.localAddresses(config.localAddresses()).wsUnmatchedInboundMessageBufferSize(unmatchedBuffer);
  }

  /**
   * No failed request; p99 under {@code p99Ms} for each of the {@code timed} requests (each named per request, not
   * globally: the ~0 ms "send" entries Gatling logs would dilute a global p99; and not the verdict and close, which
   * many users reach at the same moment by design); and exactly {@code verdicts} successful {@code verdict}
   * requests: the last step of each user, so a run where users never got that far fails instead of passing with
   * nothing measured.
   */
  static List<Assertion> passCriteria(BenchConfig config, String verdict, int verdicts, List<String> timed) {
    List<Assertion> all = new ArrayList<>();
    all.add(global().failedRequests().count().is(0L));
    for (String request : timed) {
      all.add(details(request).responseTime().percentile(99.0).lt(config.p99Ms()));
    }
    all.add(details(verdict + " reply").successfulRequests().count().is((long) verdicts));
    return all;
  }
}
