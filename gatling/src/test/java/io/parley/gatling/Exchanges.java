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
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * Request/reply over one virtual user's WebSocket, with every inbound frame shown to its {@link Inbox}.
 *
 * <p>Why the inbox is fed from the {@code matching} condition: while a check is pending, Gatling (3.15) drops
 * frames that do not match it; only frames arriving while no check is pending reach the unmatched buffer that
 * {@link #drain()} reads. Observing in the matcher, and draining right before each send, sees each frame exactly
 * once and in arrival order: the drain and the send run back to back on the user's event loop, where inbound
 * frames are handled too, so no frame can slip in between.
 */
final class Exchanges {

  static final String INBOX = "inbox";

  private final Wire wire;
  private final Duration replyTimeout;

  Exchanges(Wire wire, Duration replyTimeout) {
    this.wire = wire;
    this.replyTimeout = replyTimeout;
  }

  static Inbox inbox(Session session) {
    return session.get(INBOX);
  }

  /** {@link #request(String, String, BiFunction, Predicate, CheckBuilder.Final...)} done once the reply is in. */
  ChainBuilder request(String name, BiFunction<Session, String, String> frame, CheckBuilder.Final... checks) {
    return request(name, name + " reply", frame, session -> inbox(session).reply() != null, checks);
  }

  /**
   * Sends {@code frame(session, id)}, with a fresh request id, and waits until {@code done} holds. Gatling reports
   * the send under {@code name} (about 0 ms) and the wait under {@code awaitName}, timed from send to done.
   * {@code checks} come from {@link #reply()}; a failing one reports the value it found.
   */
  ChainBuilder request(
      String name,
      String awaitName,
      BiFunction<Session, String, String> frame,
      Predicate<Session> done,
      CheckBuilder.Final... checks) {
    List<CheckBuilder> verbose = Arrays.stream(checks).map(c -> (CheckBuilder) c.logActualValueInError(true)).toList();
    return exec(
        drain(),
        ws(name)
            .sendText(session -> wire.encode(frame.apply(session, inbox(session).awaitNext(name))))
            .await(replyTimeout)
            .on(ws.checkTextMessage(awaitName).matching(observeUntil(done)).check(verbose)));
  }

  /** The reply must be of type {@code expected} (an error reply reads {@code error:<code>}). */
  CheckBuilder.Final outcomeIs(String expected) {
    return reply().transform(Reply::outcome).is(expected).name("reply type");
  }

  /** The awaited reply, to check with {@code transform(...).is(...)}. */
  CheckBuilder.Validate<Reply> reply() {
    return bodyString().transformWithSession((text, session) -> inbox(session).reply());
  }

  /** Feeds the frames that arrived while no request was pending to the inbox. */
  ActionBuilder drain() {
    return ws.processUnmatchedMessages(
        (messages, session) -> {
          Inbox inbox = inbox(session);
          for (WsInboundMessage message : messages) {
            if (message instanceof WsInboundMessage.Text text) {
              inbox.observe(wire.decode(text.message()));
            }
          }
          return session;
        });
  }

  private CheckBuilder observeUntil(Predicate<Session> done) {
    return bodyString()
        .transformWithSession(
            (text, session) -> {
              inbox(session).observe(wire.decode(text));
              return done.test(session);
            })
        .is(true);
  }
}
