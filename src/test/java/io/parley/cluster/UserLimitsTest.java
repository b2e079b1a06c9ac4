package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.metrics.ParleyMetrics;
import io.parley.testing.Poll;
import io.parley.testing.Scrape;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 item 7 on a real two-node cluster: limits.maxStreams (rooms and users' streams together, here reached
 * by private messages to made-up users), limits.maxUserStreamBytes and limits.connectionsPerUser. In order: the
 * first test fills the cluster's streams, the later ones work within it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MAX_STREAMS = 8;
  private static final int STREAM_BYTES = 2048;
  private static final int SESSIONS = 2;
  private static Vertx vertx;
  private static List<ParleyNode> nodes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    nodes = TestNodes.startCluster(2, config -> config.getJsonObject("limits")
        .put("maxRooms", 0).put("maxStreams", MAX_STREAMS).put("streamsPerUser", 0)
        .put("maxUserStreamBytes", STREAM_BYTES).put("connectionsPerUser", SESSIONS).put("maxFrameBytes", 8192));
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  private static boolean isPrivate(JsonObject frame) {
    return "message".equals(frame.getString("type")) && frame.containsKey("mid");
  }

  private static JsonObject send(String to, Object body) {
    return new JsonObject().put("type", "send").put("to", to).put("body", body);
  }

  @Test
  @Order(1)
  @DisplayName("maxStreams: messages to made-up users fill the cluster, then new streams are refused on every node")
  void totalStreams() {
    try (TestClient spammer = authenticated(vertx, nodes.get(0), "spammer");
         TestClient friend = authenticated(vertx, nodes.get(1), "friend")) {
      assertTrue(Poll.until(() -> nodes.stream().allMatch(node -> Scrape.streams(vertx, node, "user") == 2), WAIT),
          "both nodes counted the two users' own streams");
      for (int i = 1; i <= MAX_STREAMS - 2; i++) {
        // a node's count may run one stream high while a count of the maps overlaps its own new one: let it settle
        long held = i + 1;
        assertTrue(Poll.until(() -> Scrape.streams(vertx, nodes.get(0), "user") == held, WAIT));
        expectOk(spammer.request(send("ghost-" + i, "boo")));
      }
      JsonObject refused = expectError(spammer.request(send("ghost-" + MAX_STREAMS, "boo")), "forbidden");
      assertTrue(refused.getString("message").contains("limits.maxStreams"), refused::encode);
      assertEquals(1.0, Scrape.refused(vertx, nodes.get(0), ParleyMetrics.LIMIT_STREAMS));

      assertTrue(Poll.until(() -> Scrape.streams(vertx, nodes.get(1), "user") == MAX_STREAMS, WAIT),
          "the other node counted them too");
      expectError(friend.request(send("ghost-other", "boo")), "forbidden");
      JsonObject noRoom = expectError(friend.request(new JsonObject().put("type", "join").put("room", "new-room")),
          "forbidden");
      assertTrue(noRoom.getString("message").contains("limits.maxStreams"), noRoom::encode);
      assertEquals(2.0, Scrape.refused(vertx, nodes.get(1), ParleyMetrics.LIMIT_STREAMS));
      assertEquals(MAX_STREAMS, nodes.get(0).hazelcast().getMap(UserStreams.MAP_NAME).size());

      expectOk(spammer.request(send("ghost-1", "again"))); // an existing stream takes more
      expectOk(friend.request(send("spammer", "hi")));
      JsonObject got = spammer.next(UserLimitsTest::isPrivate, WAIT);
      assertEquals("friend", got.getString("from"));
      assertEquals("hi", got.getString("body"));
    }
  }

  @Test
  @Order(2)
  @DisplayName("maxUserStreamBytes: a stream keeps its newest within the limit; a message too large alone is refused")
  void userStreamBytes() {
    try (TestClient spammer = authenticated(vertx, nodes.get(0), "spammer");
         TestClient friend = authenticated(vertx, nodes.get(1), "friend")) {
      JsonObject refused = expectError(spammer.request(send("friend", "z".repeat(3000))), "too_large");
      assertTrue(refused.getString("message").contains("limits.maxUserStreamBytes"), refused::encode);
      assertEquals(1.0, Scrape.refused(vertx, nodes.get(0), ParleyMetrics.LIMIT_USER_STREAM_BYTES));
      for (int i = 1; i <= 6; i++) {
        expectOk(spammer.request(send("friend", "p" + i + "-" + "x".repeat(500))));
      }
      for (int i = 1; i <= 6; i++) { // every one delivered live, in order, the refused one never
        JsonObject got = friend.next(f -> isPrivate(f) && "spammer".equals(f.getString("from")), WAIT);
        assertTrue(got.getString("body").startsWith("p" + i + "-"), got::encode);
      }
      JsonObject conversation = expectOk(friend.request(new JsonObject().put("type", "history")
          .put("with", "spammer")));
      int kept = conversation.getJsonArray("messages").size();
      // each stored message takes about 640 bytes: 3 fit in 2048
      assertEquals(3, kept, conversation::encode);
      assertTrue(conversation.getJsonArray("messages").getJsonObject(kept - 1).getString("body").startsWith("p6-"));
    }
  }

  @Test
  @Order(3)
  @DisplayName("connectionsPerUser: the session over the limit, on any node, gets forbidden and 4008; others go on")
  void sessionsPerUser() {
    try (TestClient first = authenticated(vertx, nodes.get(0), "multi");
         TestClient friend = authenticated(vertx, nodes.get(0), "friend")) {
      TestClient second = authenticated(vertx, nodes.get(1), "multi");
      assertRefused(0);
      second.close();
      // the refused session was never counted: one place is free, and only one
      try (TestClient again = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, nodes.get(1).port())) {
        assertTrue(Poll.until(() -> "ok".equals(again.request(auth("multi")).getString("type")), WAIT),
            "the closed session's place is free");
        assertRefused(1);
        expectOk(friend.request(send("multi", "still here")));
        assertEquals("still here", first.next(UserLimitsTest::isPrivate, WAIT).getString("body"));
        assertEquals("still here", again.next(UserLimitsTest::isPrivate, WAIT).getString("body"));
      }
    }
  }

  private static void assertRefused(int node) {
    double before = Scrape.refused(vertx, nodes.get(node), ParleyMetrics.LIMIT_CONNECTIONS_PER_USER);
    try (TestClient over = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, nodes.get(node).port())) {
      JsonObject refused = expectError(over.request(auth("multi")), "forbidden");
      assertTrue(refused.getString("message").contains("limits.connectionsPerUser"), refused::encode);
      assertEquals(4008, over.awaitClose(WAIT));
    }
    assertEquals(before + 1, Scrape.refused(vertx, nodes.get(node), ParleyMetrics.LIMIT_CONNECTIONS_PER_USER));
  }

  private static JsonObject auth(String user) {
    return new JsonObject().put("type", "auth").put("token", TestNodes.token(vertx, user));
  }
}
