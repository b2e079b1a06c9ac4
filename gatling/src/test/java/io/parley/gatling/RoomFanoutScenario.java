package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.util.function.Function;

/**
 * Connect, auth, join the room, wait until everyone has joined, publish at a steady pace, then prove that every
 * message of the run reached every user exactly once and in seq order. Every user is publisher and receiver.
 */
final class RoomFanoutScenario extends RampedScenario {

  /** Room messages arriving between two drains wait in Gatling's buffer; room for all of them plus slack. */
  private static final int UNMATCHED_SLACK = 1_000;

  private final FanoutSteps fanout;

  RoomFanoutScenario(BenchConfig config, Wire wire) {
    super(config, wire, "room fan-out", FanoutSteps.VERDICT, FanoutSteps.TIMED);
    this.fanout = new FanoutSteps(config, protocol, clock, config.users());
  }

  @Override
  int unmatchedBuffer() {
    return config.expectedPerUser() + UNMATCHED_SLACK;
  }

  @Override
  public String toString() {
    return "room fan-out";
  }

  @Override
  ScenarioBuilder build(String name, Function<Session, String> url) {
    return scenario(name)
        .exec(this::initUser)
        .exec(protocol.connectAndAuthenticate(url))
        .exec(fanout.joinRoom())
        // One scenario, so Gatling's user ids are 1..users: they number the publishers in the markers.
        .exec(fanout.publishAll(session -> (int) session.userId(), config.users()))
        .exec(fanout.awaitAllMessages())
        .exec(fanout.verifyDelivery())
        .exec(protocol.close());
  }

  private Session initUser(Session session) {
    clock.markStart();
    DeliveryTracker tracker = fanout.newTracker(config.users());
    return protocol.newUser(session, tracker).set(DeliveryTracker.KEY, tracker);
  }
}
