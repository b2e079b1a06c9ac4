package io.parley.session;

import io.parley.ParleyNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 item 6: a recovery larger than the client's queue ({@code limits.maxQueuedBytes}) is paged, never a
 * 4008 loop. The client stops reading while megabytes are owed to it (TCP back-pressure fills the kernel's
 * buffers, then the node's queue), then reads again and gets every message once, in order, then the reply.
 */
class PagedRecoveryTest {

  private static final int QUEUE_BYTES = 128 * 1024;
  private static final int MESSAGES = 400;
  /** 400 x 20 KB: 8 MB, far more than the queue and the loopback socket buffers together. */
  private static final String BODY = "x".repeat(20 * 1024);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static Vertx vertx;
  private static ParleyNode node;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(config -> {
      config.getJsonObject("limits").put("maxQueuedBytes", QUEUE_BYTES);
      config.getJsonObject("history").put("size", MESSAGES);
      config.getJsonObject("users").getJsonObject("history").put("size", MESSAGES);
      // the point is the client's queue, not what streams keep: nothing else may cut the recovery short
      JsonObject limits = config.getJsonObject("limits");
      if (limits.containsKey("maxRoomBytes")) {
        limits.put("maxRoomBytes", 0).put("maxUserStreamBytes", 0);
      }
    });
  }

  @AfterAll
  static void stop() {
    TestNodes.stop(node);
    vertx.close();
  }

  @Test
  @DisplayName("join with since: 8 MB of history to a client that stops reading arrives whole, no 4008")
  void joinRecoveryIsPaged() {
    try (TestClient publisher = authenticated(vertx, node, "publisher");
         TestClient reader = authenticated(vertx, node, "reader")) {
      join(publisher, "big");
      requestAll(publisher, n -> new JsonObject().put("type", "publish").put("room", "big")
          .put("body", new JsonObject().put("n", n).put("pad", BODY)));
      reader.pauseReading();
      reader.send(new JsonObject().put("type", "join").put("id", "j").put("room", "big").put("since", 0));
      pauseFor(Duration.ofSeconds(2)); // the node fills what the socket takes, and waits
      publish(publisher, "big", new JsonObject().put("n", MESSAGES + 1).put("pad", "live"));
      reader.resumeReading();

      assertEveryMessageOnceInOrder(reader);
      JsonObject ok = expectOk(reader.next(frame -> "j".equals(frame.getValue("id")), WAIT));
      assertTrue(ok.getBoolean("recovered"), ok::toString);
      JsonObject live = reader.next(isMessage(), WAIT);
      assertEquals(MESSAGES + 1, live.getLong("seq"), "the live message held during the recovery follows the reply");
      assertEquals(MESSAGES + 1, live.getJsonObject("body").getInteger("n"));
      assertFalse(reader.isClosed(), "the session stays open");
    }
  }

  @Test
  @DisplayName("auth: 8 MB of owed private messages to a client that stops reading arrive whole, no 4008")
  void owedMessagesArePaced() {
    try (TestClient sender = authenticated(vertx, node, "sender")) {
      requestAll(sender, n -> new JsonObject().put("type", "send").put("to", "offline")
          .put("body", new JsonObject().put("n", n).put("pad", BODY)));
    }
    try (TestClient offline = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, node.port())) {
      offline.pauseReading();
      offline.send(new JsonObject().put("type", "auth").put("id", "a")
          .put("token", TestNodes.token(vertx, "offline")));
      pauseFor(Duration.ofSeconds(2));
      offline.resumeReading();
      expectOk(offline.next(frame -> "a".equals(frame.getValue("id")), WAIT));
      assertEveryMessageOnceInOrder(offline);
      assertFalse(offline.isClosed(), "the session stays open");
    }
  }

  /**
   * Seqs 1..MESSAGES, each once and in order, carrying every body once. The requests were sent without waiting
   * for each other, so a body's number need not be its seq.
   */
  private static void assertEveryMessageOnceInOrder(TestClient client) {
    Set<Integer> bodies = new HashSet<>();
    for (long seq = 1; seq <= MESSAGES; seq++) {
      JsonObject message = client.next(isMessage(), WAIT);
      assertEquals(seq, message.getLong("seq"), "in order, once");
      bodies.add(message.getJsonObject("body").getInteger("n"));
    }
    assertEquals(MESSAGES, bodies.size(), "every message");
  }

  /** Sends requests 1..MESSAGES without waiting between them, then waits for every ok. */
  private static void requestAll(TestClient client, IntFunction<JsonObject> request) {
    for (int n = 1; n <= MESSAGES; n++) {
      client.send(request.apply(n).put("id", "r" + n));
    }
    for (int n = 1; n <= MESSAGES; n++) {
      String id = "r" + n;
      expectOk(client.next(frame -> id.equals(frame.getValue("id")), WAIT));
    }
  }

  private static Predicate<JsonObject> isMessage() {
    return frame -> "message".equals(frame.getString("type"));
  }

  private static void pauseFor(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
