package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.testing.Http;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Private messages, users' streams and request de-duplication across a real two-node cluster. */
@ExtendWith(VertxExtension.class)
class PrivateMessageTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int KEPT = 20;
  private static Vertx vertx;
  private static List<ParleyNode> nodes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    nodes = TestNodes.startCluster(2, config -> config.getJsonObject("users").getJsonObject("history").put("size", KEPT));
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  private static boolean isPrivate(JsonObject frame) {
    return "message".equals(frame.getString("type")) && frame.containsKey("mid");
  }

  private static JsonObject send(TestClient client, String to, Object body, String id) {
    JsonObject request = new JsonObject().put("type", "send").put("to", to).put("body", body);
    if (id != null) {
      request.put("id", id);
    }
    return expectOk(client.request(request));
  }

  @Test
  @DisplayName("send reaches every session of the recipient on every node, and the sender's other sessions")
  void everyDevice() {
    try (TestClient bobPhone = authenticated(vertx, nodes.get(0), "bob");
         TestClient bobLaptop = authenticated(vertx, nodes.get(1), "bob");
         TestClient alice = authenticated(vertx, nodes.get(0), "alice");
         TestClient aliceTablet = authenticated(vertx, nodes.get(1), "alice")) {
      String mid = send(alice, "bob", new JsonObject().put("text", "psst"), "s-1").getString("mid");
      for (TestClient device : List.of(bobPhone, bobLaptop, aliceTablet)) {
        JsonObject message = device.next(PrivateMessageTest::isPrivate, WAIT);
        assertEquals(mid, message.getString("mid"));
        assertEquals("bob", message.getString("to"));
        assertEquals("alice", message.getString("from"));
        assertEquals("psst", message.getJsonObject("body").getString("text"));
        assertTrue(message.getLong("ts") > 0);
      }
      alice.assertNoFrame(PrivateMessageTest::isPrivate, Duration.ofMillis(300));
    }
  }

  @Test
  @DisplayName("what a user did not acknowledge is owed at every auth, in order, within users.history.size")
  void owedUntilAcknowledged() {
    List<String> mids = new ArrayList<>();
    try (TestClient alice = authenticated(vertx, nodes.get(0), "alice-m")) {
      for (int i = 1; i <= KEPT + 3; i++) {
        mids.add(send(alice, "carol", i, null).getString("mid"));
      }
    }
    for (int round = 0; round < 2; round++) { // no ack yet: the second auth is owed the same
      try (TestClient carol = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, nodes.get(round).port())) {
        JsonObject ok = expectOk(carol.request(auth("carol")));
        assertEquals(KEPT + 3, ok.getLong("seq"), "the user's stream has every message sent to them");
        assertNotNull(ok.getString("epoch"));
        for (int i = 4; i <= KEPT + 3; i++) {
          JsonObject message = carol.next(WAIT);
          assertTrue(isPrivate(message), () -> "expected a private message, got " + message);
          assertEquals(i, message.getInteger("body"));
          assertEquals(i, message.getLong("seq"));
          assertEquals(mids.get(i - 1), message.getString("mid"));
        }
        carol.assertNoFrame(PrivateMessageTest::isPrivate, Duration.ofMillis(300));
      }
    }
    try (TestClient carol = authenticated(vertx, nodes.get(1), "carol")) {
      carol.next(PrivateMessageTest::isPrivate, WAIT);
      expectOk(carol.request(new JsonObject().put("type", "ack").put("seq", KEPT)));
    }
    try (TestClient carol = authenticated(vertx, nodes.get(0), "carol")) {
      assertEquals(KEPT + 1, carol.next(PrivateMessageTest::isPrivate, WAIT).getLong("seq"));
      assertEquals(KEPT + 2, carol.next(PrivateMessageTest::isPrivate, WAIT).getLong("seq"));
      assertEquals(KEPT + 3, carol.next(PrivateMessageTest::isPrivate, WAIT).getLong("seq"));
      carol.ack(KEPT + 3);
    }
    try (TestClient carol = authenticated(vertx, nodes.get(1), "carol")) {
      carol.assertNoFrame(PrivateMessageTest::isPrivate, Duration.ofMillis(500));
    }
  }

  @Test
  @DisplayName("connections that drop before reading, or die while being sent to, lose nothing: 12 random rounds")
  void droppedConnectionsLoseNothing() {
    java.util.Random random = new java.util.Random(17);
    Set<String> acknowledged = new HashSet<>();
    try (TestClient sender = authenticated(vertx, nodes.get(0), "kim")) {
      for (int round = 0; round < 12; round++) {
        // within what the stream keeps (users.history.size), so that everything is still owed at the end
        int before = Math.min(random.nextInt(3), KEPT - acknowledged.size());
        int during = Math.min(random.nextInt(4), KEPT - acknowledged.size() - before);
        for (int i = 0; i < before; i++) {
          acknowledged.add(send(sender, "lee", "r" + round + "-b" + i, null).getString("mid"));
        }
        // a client that authenticates by URL and never reads a byte, then vanishes (no close frame)
        try (SilentWebSocket dying = SilentWebSocket.connect(vertx, nodes.get(round % 2).port(),
            "/ws?token=" + TestNodes.token(vertx, "lee"))) {
          for (int i = 0; i < during; i++) {
            acknowledged.add(send(sender, "lee", "r" + round + "-d" + i, null).getString("mid"));
          }
          Http.sleep(random.nextInt(50));
        }
      }
    }
    try (TestClient lee = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, nodes.get(1).port())) {
      JsonObject ok = expectOk(lee.request(auth("lee")));
      assertEquals(acknowledged.size(), ok.getLong("seq"));
      Set<Long> seqs = new HashSet<>();
      Set<String> mids = new HashSet<>();
      for (int i = 0; i < acknowledged.size(); i++) {
        JsonObject message = lee.next(PrivateMessageTest::isPrivate, WAIT);
        assertTrue(seqs.add(message.getLong("seq")), "each seq once");
        mids.add(message.getString("mid"));
      }
      assertEquals(acknowledged, mids, "every acknowledged message, although sockets took some of them");
      lee.assertNoFrame(PrivateMessageTest::isPrivate, Duration.ofMillis(300));
    }
  }

  @Test
  @DisplayName("auth with since gets everything after it, acknowledged or not; another epoch says recovered:false")
  void authSince() {
    try (TestClient frank = authenticated(vertx, nodes.get(0), "frank")) {
      for (int i = 1; i <= 5; i++) {
        send(frank, "gina", "m" + i, null);
      }
    }
    String epoch;
    try (TestClient gina = authenticated(vertx, nodes.get(1), "gina")) {
      for (int i = 1; i <= 5; i++) {
        gina.next(PrivateMessageTest::isPrivate, WAIT);
      }
      gina.ack(5);
      epoch = expectOk(gina.request(new JsonObject().put("type", "history").put("with", "frank")))
          .getString("epoch");
    }
    try (TestClient gina = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, nodes.get(0).port())) {
      JsonObject ok = expectOk(gina.request(auth("gina").put("since", 3).put("epoch", epoch)));
      assertTrue(ok.getBoolean("recovered"));
      assertEquals("m4", gina.next(PrivateMessageTest::isPrivate, WAIT).getString("body"));
      assertEquals("m5", gina.next(PrivateMessageTest::isPrivate, WAIT).getString("body"));
      gina.assertNoFrame(PrivateMessageTest::isPrivate, Duration.ofMillis(300));
    }
    try (TestClient gina = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, nodes.get(0).port())) {
      JsonObject ok = expectOk(gina.request(auth("gina").put("since", 3).put("epoch", "not-" + epoch)));
      assertFalse(ok.getBoolean("recovered"));
      gina.assertNoFrame(PrivateMessageTest::isPrivate, Duration.ofMillis(300)); // all acknowledged
    }
  }

  @Test
  @DisplayName("history with: the conversation between two users, from either side, with each side's seqs")
  void conversationHistory() {
    try (TestClient hana = authenticated(vertx, nodes.get(0), "hana");
         TestClient ivan = authenticated(vertx, nodes.get(1), "ivan");
         TestClient jo = authenticated(vertx, nodes.get(1), "jo")) {
      send(hana, "ivan", "hi ivan", null);
      send(jo, "hana", "unrelated", null);
      send(ivan, "hana", "hi hana", null);
      send(hana, "ivan", "how are you", null);
      JsonObject fromHana = expectOk(hana.request(new JsonObject().put("type", "history").put("with", "ivan")));
      assertEquals("ivan", fromHana.getString("with"));
      assertEquals(List.of("hi ivan", "hi hana", "how are you"), bodies(fromHana));
      assertEquals(List.of(1L, 3L, 4L), seqs(fromHana), "hana's stream: seq 2 is jo's message");
      JsonObject fromIvan = expectOk(ivan.request(new JsonObject().put("type", "history").put("with", "hana")
          .put("limit", 2)));
      assertEquals(List.of("hi hana", "how are you"), bodies(fromIvan), "the newest two");
    }
  }

  private static JsonObject auth(String user) {
    return new JsonObject().put("type", "auth").put("token", TestNodes.token(vertx, user));
  }

  private static List<Object> bodies(JsonObject history) {
    return history.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getValue("body")).toList();
  }

  private static List<Long> seqs(JsonObject history) {
    return history.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getLong("seq")).toList();
  }

  @Test
  @DisplayName("a retried send with the same id, even on another node, is delivered once with the same mid")
  void sendDedup() {
    try (TestClient dan = authenticated(vertx, nodes.get(1), "dan")) {
      String first;
      try (TestClient erin = authenticated(vertx, nodes.get(0), "erin")) {
        first = send(erin, "dan", "once", "retry-me").getString("mid");
      }
      try (TestClient erinAgain = authenticated(vertx, nodes.get(1), "erin")) {
        assertEquals(first, send(erinAgain, "dan", "once", "retry-me").getString("mid"));
        assertNotEquals(first, send(erinAgain, "dan", "twice", "another-id").getString("mid"));
      }
      assertEquals("once", dan.next(PrivateMessageTest::isPrivate, WAIT).getString("body"));
      assertEquals("twice", dan.next(PrivateMessageTest::isPrivate, WAIT).getString("body"));
      dan.assertNoFrame(PrivateMessageTest::isPrivate, Duration.ofMillis(300));
    }
  }

  @Test
  @DisplayName("a retried publish with the same id, even on another node, returns the original seq, stored once")
  void publishDedup() {
    String room = "dedup-room";
    try (TestClient watcher = authenticated(vertx, nodes.get(1), "watcher")) {
      join(watcher, room);
      long seq;
      try (TestClient writer = authenticated(vertx, nodes.get(0), "writer-d")) {
        join(writer, room);
        seq = expectOk(writer.request(new JsonObject().put("type", "publish").put("room", room)
            .put("body", "hello").put("id", "pub-1"))).getLong("seq");
      }
      try (TestClient writerAgain = authenticated(vertx, nodes.get(1), "writer-d")) {
        join(writerAgain, room);
        JsonObject retry = expectOk(writerAgain.request(new JsonObject().put("type", "publish").put("room", room)
            .put("body", "hello").put("id", "pub-1")));
        assertEquals(seq, retry.getLong("seq"));
        assertEquals(room, retry.getString("room"));
      }
      assertEquals(seq, watcher.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      watcher.assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(300));
      JsonObject history = expectOk(watcher.request(new JsonObject().put("type", "history").put("room", room)));
      assertEquals(1, history.getJsonArray("messages").size());
      try (TestClient careless = authenticated(vertx, nodes.get(0), "writer-d")) {
        join(careless, room);
        JsonObject reused = expectOk(careless.request(new JsonObject().put("type", "publish").put("room", room)
            .put("body", "a new message under an old id").put("id", "pub-1")));
        assertEquals(seq + 1, reused.getLong("seq"), "an id reused for another body is a new message, not a retry");
      }
    }
  }

}
