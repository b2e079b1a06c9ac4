package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.Session;
import io.parley.bench.TokenMinter;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The protocol steps every simulation is made of (PROTOCOL.md): a user and its token, connect and {@code auth},
 * {@code join}, {@code leave}, {@code publish}, and a closing verdict. Each request is checked against its reply.
 */
final class ProtocolSteps {

  private static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

  private final Exchanges exchanges;
  private final TokenMinter minter;
  /** Run id in user ids, rooms and markers: two runs within the node's dedup window must not collide. */
  private final String runId = Long.toString(System.currentTimeMillis(), 36);

  ProtocolSteps(BenchConfig config, Wire wire) {
    this.exchanges = new Exchanges(wire, config.replyTimeout());
    this.minter = new TokenMinter(config.secret(), TOKEN_LIFETIME.toSeconds());
  }

  String runId() {
    return runId;
  }

  /** The user id of this virtual user: {@code bench-<run id>-<n>}, unique per run. */
  String user(Session session) {
    return "bench-" + runId + "-" + session.userId();
  }

  /** A user (see {@link #user(Session)}) with its token, whose inbound frames go to {@code observer}. */
  Session newUser(Session session, FrameObserver observer) {
    return newUser(session, observer, "");
  }

  /** The same, with extra JWT claims, e.g. {@code ,"publish":["room"]} to publish without joining. */
  Session newUser(Session session, FrameObserver observer, String extraClaims) {
    String user = user(session);
    return session.setAll(
        Map.of("user", user, "token", minter.mint(user, extraClaims), Exchanges.INBOX, new Inbox(observer)));
  }

  /** Opens the WebSocket and authenticates; a user that fails either stops here. */
  ChainBuilder connectAndAuthenticate(Function<Session, String> url) {
    return exec(ws("connect").connect(url)).exitHereIfFailed().exec(authenticate()).exitHereIfFailed();
  }

  private ChainBuilder authenticate() {
    return exchanges.request(
        "auth",
        (session, id) -> Frames.auth(id, session.getString("token")),
        exchanges.outcomeIs("ok"),
        exchanges.reply().transform(r -> r.text("user")).is(session -> session.getString("user")).name("reply user"));
  }

  ChainBuilder join(Function<Session, String> room) {
    return exchanges.request(
        "join",
        (session, id) -> Frames.join(id, room.apply(session)),
        exchanges.outcomeIs("ok"),
        exchanges.reply().transform(r -> r.number("seq")).gte(0L).name("reply seq"));
  }

  ChainBuilder leave(Function<Session, String> room) {
    return exchanges.request(
        "leave",
        (session, id) -> Frames.leave(id, room.apply(session)),
        exchanges.outcomeIs("ok"),
        exchanges.reply().transform(r -> r.text("room")).is(room).name("reply room"));
  }

  /** Publishes {@code {"marker":...}} and waits for the {@code ok}, which comes once the message is stored. */
  ChainBuilder publish(Function<Session, String> room, Function<Session, String> marker) {
    return exchanges.request(
        "publish",
        (session, id) -> Frames.publish(id, room.apply(session), marker.apply(session)),
        publishAccepted());
  }

  /**
   * Publishes and waits, under {@code awaitName}, for the {@code ok} and for {@code delivered}: e.g. the
   * publisher's own copy of the message, which proves the room delivered it. An error reply ends the wait at once.
   */
  ChainBuilder publishUntil(
      String awaitName,
      Function<Session, String> room,
      Function<Session, String> marker,
      Predicate<Session> delivered) {
    Predicate<Session> refused = session -> !"ok".equals(Exchanges.inbox(session).reply().outcome());
    Predicate<Session> replied = session -> Exchanges.inbox(session).reply() != null;
    return exchanges.request(
        "publish",
        awaitName,
        (session, id) -> Frames.publish(id, room.apply(session), marker.apply(session)),
        replied.and(refused.or(delivered)),
        publishAccepted());
  }

  private CheckBuilder.Final[] publishAccepted() {
    return new CheckBuilder.Final[] {
      exchanges.outcomeIs("ok"), exchanges.reply().transform(r -> r.number("seq")).gt(0L).name("reply seq")
    };
  }

  /**
   * A scenario's final judgement as a request of its own (a {@code ping}), so a shortfall counts as a failed
   * request in the report and in the assertions, with {@code actual} in the error message. Error pushes without
   * an id (e.g. {@code rate_limited}) seen at any time fail it too.
   */
  ChainBuilder verdict(String name, Function<Session, String> actual, Function<Session, String> expected) {
    return exchanges.request(
        name,
        (session, id) -> Frames.ping(id),
        exchanges.outcomeIs("pong"),
        exchanges.reply()
            .transformWithSession((reply, session) ->
                actual.apply(session) + ", unsolicited errors " + Exchanges.inbox(session).unsolicitedErrors())
            .is(session -> expected.apply(session) + ", unsolicited errors 0")
            .name(name));
  }

  /** Shows the frames that arrived between requests to the inbox; for users that wait without sending. */
  ActionBuilder drain() {
    return exchanges.drain();
  }

  ChainBuilder close() {
    return exec(ws("close").close());
  }
}
