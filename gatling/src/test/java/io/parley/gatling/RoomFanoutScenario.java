package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.parley.bench.TokenMinter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Connect, auth, join the room, wait until everyone has joined, publish at a steady pace, then prove that every
 * message of the run reached every user exactly once and in seq order.
 */
final class RoomFanoutScenario {

  private static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
  private static final Duration DRAIN_EVERY = Duration.ofMillis(100);

  private final BenchConfig config;
  private final Exchanges exchanges;
  private final TokenMinter minter;
  /** Run id in user ids and markers: two runs within the node's dedup window must not collide. */
  private final String runId = Long.toString(System.currentTimeMillis(), 36);
  /** Set by the first user: the barrier before publishing is relative to the start of injection. */
  private final AtomicLong injectionStart = new AtomicLong();

  RoomFanoutScenario(BenchConfig config, Wire wire) {
    this.config = config;
    this.exchanges = new Exchanges(wire, config.replyTimeout());
    this.minter = new TokenMinter(config.secret(), TOKEN_LIFETIME.toSeconds());
  }

  ScenarioBuilder build(String name, Function<Session, String> url) {
    return scenario(name)
        .exec(this::initUser)
        .exec(ws("connect").connect(url))
        .exitHereIfFailed()
        .exec(authenticate())
        .exitHereIfFailed()
        .exec(joinRoom())
        .exitHereIfFailed()
        .pause(this::untilMyPublishSlot)
        .repeat(config.messages(), "n")
        .on(pace(config.interval()).exec(publish()))
        .exec(awaitAllMessages())
        .exec(verifyDelivery())
        .exec(ws("close").close());
  }

  private Session initUser(Session session) {
    injectionStart.compareAndSet(0, System.currentTimeMillis());
    String user = "bench-" + runId + "-" + session.userId();
    return session.setAll(
        Map.of(
            "user", user,
            "token", minter.mint(user),
            Exchanges.TRACKER, new DeliveryTracker(runId, config.room(), config.users(), config.messages())));
  }

  private ChainBuilder authenticate() {
    Function<Session, String> id = session -> "auth";
    return exchanges.request(
        "auth",
        id,
        session -> Frames.auth(id.apply(session), session.getString("token")),
        exchanges.outcomeIs(id, "ok"),
        exchanges.reply(id).transform(r -> r.text("user")).is(session -> session.getString("user")).name("reply user"));
  }

  private ChainBuilder joinRoom() {
    Function<Session, String> id = session -> "join";
    return exchanges.request(
        "join",
        id,
        session -> Frames.join(id.apply(session), config.room()),
        exchanges.outcomeIs(id, "ok"),
        exchanges.reply(id).transform(r -> r.number("seq")).gte(0L).name("reply seq"));
  }

  /**
   * There is no barrier across virtual users, so everyone waits for the end of the ramp plus a settle time;
   * a late joiner shows up as missing messages. Users then start at evenly spread offsets within one interval,
   * so the node sees a steady rate instead of a burst every interval.
   */
  private Duration untilMyPublishSlot(Session session) {
    long interval = config.interval().toMillis();
    long offset = (session.userId() - 1) % config.users() * interval / config.users();
    long startAt = injectionStart.get() + config.rampSeconds() * 1000L + config.settle().toMillis() + offset;
    return Duration.ofMillis(Math.max(0, startAt - System.currentTimeMillis()));
  }

  private ChainBuilder publish() {
    Function<Session, String> id = session -> "p" + session.getInt("n");
    return exchanges.request(
        "publish",
        id,
        session -> Frames.publish(
            id.apply(session),
            config.room(),
            DeliveryTracker.marker(runId, session.userId(), session.getInt("n"))),
        exchanges.outcomeIs(id, "ok"),
        exchanges.reply(id).transform(r -> r.number("seq")).gt(0L).name("reply seq"));
  }

  /** Other users publish until well after this one is done: keep draining until all arrived or time is up. */
  private ChainBuilder awaitAllMessages() {
    long timeout = config.receiveTimeout().toMillis();
    return exec(session -> session.set("receiveDeadline", System.currentTimeMillis() + timeout))
        .asLongAs(
            session -> !Exchanges.tracker(session).complete()
                && System.currentTimeMillis() < session.getLong("receiveDeadline"))
        .on(pause(DRAIN_EVERY).exec(exchanges.drain()));
  }

  /**
   * The delivery verdict as a request of its own (a ping), so a shortfall counts as a failed request in the
   * report and in the assertions, with the counts in the error message.
   */
  private ChainBuilder verifyDelivery() {
    Function<Session, String> id = session -> "delivery";
    return exchanges.request(
        "delivery",
        id,
        session -> Frames.ping(id.apply(session)),
        exchanges.outcomeIs(id, "pong"),
        exchanges.reply(id)
            .transformWithSession((reply, session) -> Exchanges.tracker(session).summary())
            .is(session -> Exchanges.tracker(session).expectedSummary())
            .name("room messages"));
  }
}
