package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Idle connections: each user connects, authenticates, joins one of {@code users / roomSize} rooms and holds its
 * connection, so that all of them are open at once for {@code holdSeconds} after the ramp. A {@code ping} then
 * proves the connection outlived the hold, and the user leaves and closes. Users end in the order and at the rate
 * they started (a ramp down), not all at once, which would time a burst of the simulation's own making.
 */
final class IdleScenario extends RampedScenario {

  /** Presence pushes of a room of about {@code roomSize} during the hold, with slack. */
  private static final int UNMATCHED_SLACK = 100;

  private final int holdSeconds;
  private final int roomSize;
  private final int rooms;
  private final Duration holdUntil;

  /**
   * Reads {@code holdSeconds} (default 30) and {@code roomSize} (members per room, default 20: small, so presence
   * pushes stay few).
   */
  IdleScenario(BenchConfig config, Wire wire) {
    super(config, wire, "idle", "held", List.of("connect", "auth reply", "join reply"));
    this.holdSeconds = Props.positive("holdSeconds", 30);
    this.roomSize = Props.positive("roomSize", 20);
    this.rooms = Math.max(1, config.users() / roomSize);
    this.holdUntil = Duration.ofSeconds(config.rampSeconds() + (long) holdSeconds);
  }

  @Override
  int unmatchedBuffer() {
    return 2 * roomSize + UNMATCHED_SLACK;
  }

  @Override
  public String toString() {
    return "idle[holdSeconds=%d, roomSize=%d, rooms=%d]".formatted(holdSeconds, roomSize, rooms);
  }

  @Override
  ScenarioBuilder build(String name, Function<Session, String> url) {
    return scenario(name)
        .exec(this::initUser)
        .exec(protocol.connectAndAuthenticate(url))
        .exec(protocol.join(this::room))
        .exitHereIfFailed()
        .pause(session -> clock.until(holdUntil.plus(rampDownOffset(session))))
        // The pong proves the connection outlived the hold; the verdict adds that no error push came meanwhile.
        .exec(protocol.verdict(verdict, session -> "connection open", session -> "connection open"))
        .exec(protocol.leave(this::room))
        .exec(protocol.close());
  }

  private Duration rampDownOffset(Session session) {
    return Duration.ofSeconds(config.rampSeconds()).multipliedBy(session.userId() - 1).dividedBy(config.users());
  }

  private Session initUser(Session session) {
    clock.markStart();
    return protocol.newUser(session, FrameObserver.NONE);
  }

  private String room(Session session) {
    return "idle-" + protocol.runId() + "-" + session.userId() % rooms;
  }
}
