package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Request/reply over one virtual user's WebSocket, with every inbound frame shown to its {@link DeliveryTracker}.
 *
 * <p>Why the tracker is fed from the {@code matching} condition: while a check is pending, Gatling (3.15) drops
 * frames that do not match it; only frames arriving while no check is pending reach the unmatched buffer that
 * {@link #drain()} reads. Observing in the matcher, and draining right before each send, sees each frame exactly
 * once and in arrival order: the drain and the send run back to back on the user's event loop, where inbound
 * frames are handled too, so no frame can slip in between.
 */
final class Exchanges {

  static final String TRACKER = "tracker";

  private final Wire wire;
  private final Duration replyTimeout;

  Exchanges(Wire wire, Duration replyTimeout) {
    this.wire = wire;
    this.replyTimeout = replyTimeout;
  }

  static DeliveryTracker tracker(Session session) {
    return session.get(TRACKER);
  }

  /**
   * Sends {@code frame} and waits for the reply carrying {@code id}. Gatling reports the send under {@code name}
   * (about 0 ms) and the reply under {@code "<name> reply"}, timed from send to reply. {@code checks} come from
   * {@link #reply(Function)}; a failing one reports the value it found.
   */
  ChainBuilder request(
      String name, Function<Session, String> id, Function<Session, String> frame, CheckBuilder.Final... checks) {
    List<CheckBuilder> verbose = Arrays.stream(checks).map(c -> (CheckBuilder) c.logActualValueInError(true)).toList();
    return exec(
        drain(),
        ws(name)
            .sendText(session -> wire.encode(frame.apply(session)))
            .await(replyTimeout)
            .on(ws.checkTextMessage(name + " reply").matching(tapAndMatch(id)).check(verbose)));
  }

  /** The reply to {@code id} must be of type {@code expected} (an error reply reads {@code error:<code>}). */
  CheckBuilder.Final outcomeIs(Function<Session, String> id, String expected) {
    return reply(id).transform(Reply::outcome).is(expected).name("reply type");
  }

  /** The reply to {@code id} inside the matched text frame, to check with {@code transform(...).is(...)}. */
  CheckBuilder.Validate<Reply> reply(Function<Session, String> id) {
    return bodyString().transformWithSession((text, session) -> Reply.find(wire.decode(text), id.apply(session)));
  }

  /** Feeds the frames that arrived while no request was pending to the tracker. */
  ActionBuilder drain() {
    return ws.processUnmatchedMessages(
        (messages, session) -> {
          DeliveryTracker tracker = tracker(session);
          for (WsInboundMessage message : messages) {
            if (message instanceof WsInboundMessage.Text text) {
              tracker.observe(wire.decode(text.message()));
            }
          }
          return session;
        });
  }

  private CheckBuilder tapAndMatch(Function<Session, String> id) {
    return bodyString()
        .transformWithSession(
            (text, session) -> {
              List<String> frames = wire.decode(text);
              tracker(session).observe(frames);
              return Reply.find(frames, id.apply(session)) != null;
            })
        .is(true);
  }
}
