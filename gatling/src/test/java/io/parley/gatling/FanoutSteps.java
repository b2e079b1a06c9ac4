package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.pause;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The timeline of a fan-out run and the steps on it: receivers join the room; publishers start {@code settleMs}
 * after the last receiver joined, and each publishes {@code messages} messages one {@code interval} apart;
 * receivers drain until they hold every message or the receive timeout is up, and judge what they got.
 */
final class FanoutSteps {

  /** The name of the delivery verdict request. */
  static final String VERDICT = "delivery";
  /** The requests whose p99 a fan-out run bounds. */
  static final List<String> TIMED = List.of("connect", "auth reply", "join reply", "publish reply");

  private static final Duration POLL_EVERY = Duration.ofMillis(100);

  private final BenchConfig config;
  private final ProtocolSteps protocol;
  private final RunClock clock;
  private final JoinBarrier joins;
  /** When publishers give up waiting for the last join and start anyway; the missing joins fail the run. */
  private final Duration joinDeadline;

  FanoutSteps(BenchConfig config, ProtocolSteps protocol, RunClock clock, int receivers) {
    this.config = config;
    this.protocol = protocol;
    this.clock = clock;
    this.joins = new JoinBarrier(receivers, clock);
    this.joinDeadline = Duration.ofSeconds(config.rampSeconds()).plus(config.replyTimeout().multipliedBy(2));
  }

  static DeliveryTracker tracker(Session session) {
    return session.get(DeliveryTracker.KEY);
  }

  /** A receiver's tracker for {@code publishers} publishers, each numbered 1..publishers in the markers. */
  DeliveryTracker newTracker(int publishers) {
    return new DeliveryTracker(protocol.runId(), config.room(), publishers, config.messages());
  }

  /** A receiver joins the room; a user whose join fails stops here. */
  ChainBuilder joinRoom() {
    return protocol.join(session -> config.room()).exitHereIfFailed().exec(session -> {
      joins.arrive();
      return session;
    });
  }

  /**
   * Publisher {@code index} of {@code publishers} (1-based) publishes its messages. Publishers start at evenly
   * spread offsets within one interval, so the node sees a steady rate instead of a burst every interval.
   */
  ChainBuilder publishAll(ToIntFunction<Session> index, int publishers) {
    long interval = config.interval().toMillis();
    return asLongAs(session -> !joins.isOpen() && !clock.until(joinDeadline).isZero())
        .on(pause(POLL_EVERY))
        .pause(session -> clock.until(publishingStart()
            .plusMillis((index.applyAsInt(session) - 1) % publishers * interval / publishers)))
        .repeat(config.messages(), "n")
        .on(pace(config.interval()).exec(protocol.publish(
            session -> config.room(),
            session -> DeliveryTracker.marker(protocol.runId(), index.applyAsInt(session), session.getInt("n")))));
  }

  /** Drains until every message arrived or the receive timeout after the last publish is up. */
  ChainBuilder awaitAllMessages() {
    return asLongAs(session -> !tracker(session).complete() && !clock.until(receiveDeadline()).isZero())
        .on(pause(POLL_EVERY).exec(protocol.drain()));
  }

  /** The delivery verdict: every message of the run exactly once, in seq order. */
  ChainBuilder verifyDelivery() {
    return protocol.verdict(
        VERDICT, session -> tracker(session).summary(), session -> tracker(session).expectedSummary());
  }

  private Duration publishingStart() {
    return joins.openedAtOr(joinDeadline).plus(config.settle());
  }

  private Duration receiveDeadline() {
    return publishingStart().plus(config.interval().multipliedBy(config.messages())).plus(config.receiveTimeout());
  }
}
