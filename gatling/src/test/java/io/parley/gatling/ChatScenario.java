package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Instant messaging: each user joins its home room and, from {@code settleMs} after the ramp, acts every
 * {@code pace} for {@code duration}: mostly a publish to its home room, awaited until the user's own copy arrives, sometimes a
 * visit to another room (join, stay, leave). At the end, every user must have seen its home room's seqs without
 * a gap.
 */
final class ChatScenario extends RampedScenario {

  /** Frames between two actions of a user: its home room's and a visited room's messages, presence, slack. */
  private static final int UNMATCHED_BUFFER = 2_000;

  private final ChatConfig chat;
  private final ChatRooms rooms;

  ChatScenario(BenchConfig config, Wire wire) {
    super(config, wire, "chat", "home room",
        List.of("connect", "auth reply", "join reply", "publish echo", "leave reply"));
    this.chat = ChatConfig.fromSystemProperties();
    this.rooms = new ChatRooms("chat-" + protocol.runId() + "-", config.users(), chat.minRoom(), chat.maxRoom());
  }

  @Override
  int unmatchedBuffer() {
    return UNMATCHED_BUFFER;
  }

  @Override
  public String toString() {
    return chat + " " + rooms.describe();
  }

  @Override
  ScenarioBuilder build(String name, Function<Session, String> url) {
    Duration chatStart = Duration.ofSeconds(config.rampSeconds()).plus(config.settle());
    return scenario(name)
        .exec(this::initUser)
        .exec(protocol.connectAndAuthenticate(url))
        .exec(protocol.join(session -> tracker(session).homeRoom()))
        .exitHereIfFailed()
        .pause(session -> clock.until(chatStart).plus(randomOffset()))
        // exitASAP false: the default would cut a visit short in its pause, so it never leaves.
        .during(chat.duration(), false)
        .on(pace(chat.pace())
            .exec(doIfOrElse(session -> ThreadLocalRandom.current().nextInt(100) < chat.visitPercent())
                .then(visitAnotherRoom())
                .orElse(publishHome())))
        .exec(protocol.verdict(
            verdict, session -> tracker(session).summary(), session -> tracker(session).expectedSummary()))
        .exec(protocol.close());
  }

  /** Spreads the users' actions over one pace, so the node sees a steady rate instead of bursts. */
  private Duration randomOffset() {
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(chat.pace().toMillis()));
  }

  private Session initUser(Session session) {
    clock.markStart();
    // One scenario, so Gatling's user ids are 1..users.
    int home = rooms.homeOf((int) session.userId() - 1);
    ChatTracker tracker = new ChatTracker(protocol.user(session), rooms.name(home));
    return protocol.newUser(session, tracker).setAll(Map.of(ChatTracker.KEY, tracker, "home", home));
  }

  private ChainBuilder publishHome() {
    return exec(session -> session.set("marker", tracker(session).nextMarker()))
        .exec(protocol.publishUntil(
            "publish echo",
            session -> tracker(session).homeRoom(),
            session -> session.getString("marker"),
            session -> tracker(session).echoed()));
  }

  private ChainBuilder visitAnotherRoom() {
    Function<Session, String> visited = session -> session.getString("visit");
    return exec(session -> session.set("visit", rooms.name(rooms.otherThan(session.getInt("home")))))
        .exec(protocol.join(visited))
        .pause(chat.visit())
        .exec(protocol.leave(visited));
  }

  private static ChatTracker tracker(Session session) {
    return session.get(ChatTracker.KEY);
  }
}
