package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.metrics.ParleyMetrics;
import io.parley.testing.Poll;
import io.parley.testing.Scrape;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
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
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 item 7 on a real two-node cluster: limits.maxRoomBytes, limits.streamsPerUser and limits.maxRooms,
 * each refusal an error frame naming the limit and a count in parley_limits_refused_total, and nobody else's
 * messages lost. The tests run in order: the rooms they make add up to limits.maxRooms in the last one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoomLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MAX_ROOMS = 5;
  private static final int ROOM_BYTES = 2048;
  private static final int PER_USER = 3;
  private static Vertx vertx;
  private static List<ParleyNode> nodes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    nodes = TestNodes.startCluster(2, config -> config.getJsonObject("limits")
        .put("maxRooms", MAX_ROOMS).put("maxStreams", 0).put("maxRoomBytes", ROOM_BYTES)
        .put("streamsPerUser", PER_USER).put("maxFrameBytes", 8192));
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  @Test
  @Order(1)
  @DisplayName("maxRoomBytes: the oldest messages leave to make room; one that cannot fit alone is too_large")
  void bytesPerRoom() {
    try (TestClient writer = authenticated(vertx, nodes.get(0), "bytes-a");
         TestClient reader = authenticated(vertx, nodes.get(1), "bytes-b")) {
      join(writer, "b1"); // room 1
      join(reader, "b1");
      for (int i = 1; i <= 10; i++) {
        assertEquals(i, publish(writer, "b1", "m" + i + "-" + "x".repeat(400)).getLong("seq"));
      }
      for (int i = 1; i <= 10; i++) { // live delivery is not cut by what history keeps
        assertTrue(reader.next(f -> isMessage(f, "b1"), WAIT).getString("body").startsWith("m" + (i) + "-"));
      }
      JsonArray kept = history(reader, "b1").getJsonArray("messages");
      // each stored message takes about 455 bytes: 4 fit in 2048
      assertEquals(4, kept.size(), kept::encode);
      assertTrue(kept.getJsonObject(0).getString("body").startsWith("m7-"), "the newest are kept");

      JsonObject refused = expectError(writer.request(new JsonObject().put("type", "publish").put("room", "b1")
          .put("body", "y".repeat(3000))), "too_large");
      assertTrue(refused.getString("message").contains("limits.maxRoomBytes"), refused::encode);
      assertEquals(1.0, Scrape.refused(vertx, nodes.get(0), ParleyMetrics.LIMIT_ROOM_BYTES));
      reader.assertNoFrame(f -> isMessage(f, "b1"), Duration.ofMillis(300));

      assertEquals(11, publish(reader, "b1", "after").getLong("seq"), "nothing was taken for the refused one");
      assertEquals("after", writer.next(f -> isMessage(f, "b1") && f.getLong("seq") == 11, WAIT).getString("body"));
    }
  }

  @Test
  @Order(2)
  @DisplayName("streamsPerUser: one user's new rooms and recipients are counted cluster-wide; others go on")
  void streamsPerUser() {
    try (TestClient onFirst = authenticated(vertx, nodes.get(0), "maker");
         TestClient onSecond = authenticated(vertx, nodes.get(1), "maker");
         TestClient friend = authenticated(vertx, nodes.get(1), "maker-friend")) {
      join(onFirst, "m1"); // rooms 2, 3, 4: the maker's three
      join(onSecond, "m2");
      join(onFirst, "m3");
      JsonObject refused = expectError(onSecond.request(joinFrame("m4")), "forbidden");
      assertTrue(refused.getString("message").contains("limits.streamsPerUser"), refused::encode);
      assertEquals(1.0, Scrape.refused(vertx, nodes.get(1), ParleyMetrics.LIMIT_STREAMS_PER_USER));
      JsonObject toNobody = expectError(onFirst.request(new JsonObject().put("type", "send").put("to", "ghost-maker")
          .put("body", "hi")), "forbidden");
      assertTrue(toNobody.getString("message").contains("limits.streamsPerUser"), toNobody::encode);
      assertEquals(1.0, Scrape.refused(vertx, nodes.get(0), ParleyMetrics.LIMIT_STREAMS_PER_USER));

      // a node's count may run one stream high while a count of the maps overlaps its own new stream: let it settle
      assertTrue(Poll.until(() -> Scrape.streams(vertx, nodes.get(1), "room") == 4, WAIT));
      join(friend, "m4"); // room 5, the friend's own
      join(onSecond, "m4"); // exists now: no new stream
      join(onSecond, "m1");
      publish(onSecond, "m4", "in m4");
      assertEquals("in m4", friend.next(f -> isMessage(f, "m4"), WAIT).getString("body"));
      publish(onSecond, "m1", "in m1");
      assertEquals("in m1", onFirst.next(f -> isMessage(f, "m1"), WAIT).getString("body"));
    }
  }

  @Test
  @Order(3)
  @DisplayName("maxRooms: with the cluster full new rooms are refused on every node, existing ones work, reads make none")
  void roomsKept() {
    assertTrue(Poll.until(() -> nodes.stream().allMatch(node -> Scrape.streams(vertx, node, "room") == MAX_ROOMS),
        WAIT), "both nodes counted the rooms");
    String bot = TestNodes.token(vertx, "late-bot", null, List.of("*"));
    try (TestClient member = authenticated(vertx, nodes.get(1), "member");
         TestClient late = authenticated(vertx, nodes.get(0), "late");
         TestClient lateBot = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, nodes.get(1).port())) {
      expectOk(lateBot.request(new JsonObject().put("type", "auth").put("token", bot)));
      JsonObject refused = expectError(late.request(joinFrame("r-new")), "forbidden");
      assertTrue(refused.getString("message").contains("limits.maxRooms"), refused::encode);
      assertEquals(1.0, Scrape.refused(vertx, nodes.get(0), ParleyMetrics.LIMIT_ROOMS));
      JsonObject refusedPublish = expectError(lateBot.request(new JsonObject().put("type", "publish")
          .put("room", "r-new-2").put("body", "x")), "forbidden");
      assertTrue(refusedPublish.getString("message").contains("limits.maxRooms"), refusedPublish::encode);
      assertEquals(1.0, Scrape.refused(vertx, nodes.get(1), ParleyMetrics.LIMIT_ROOMS));

      join(member, "m2");
      join(late, "m2");
      long seq = publish(late, "m2", "still works").getLong("seq");
      assertEquals("still works", member.next(f -> isMessage(f, "m2") && f.getLong("seq") == seq, WAIT)
          .getString("body"));
      assertEquals(seq + 1, expectOk(lateBot.request(new JsonObject().put("type", "publish").put("room", "m2")
          .put("body", "bot"))).getLong("seq"));
      assertEquals("bot", member.next(f -> isMessage(f, "m2"), WAIT).getString("body"));

      JsonObject nothing = history(late, "nowhere");
      assertEquals(0L, nothing.getLong("seq"));
      assertFalse(nodes.get(0).hazelcast().getMap(RoomHistory.MAP_NAME).containsKey("nowhere"),
          "a read of a room with no stream makes none");
      assertEquals(MAX_ROOMS, nodes.get(0).hazelcast().getMap(RoomHistory.MAP_NAME).size());
    }
  }

  private static JsonObject joinFrame(String room) {
    return new JsonObject().put("type", "join").put("room", room);
  }

  private static JsonObject history(TestClient client, String room) {
    return expectOk(client.request(new JsonObject().put("type", "history").put("room", room)));
  }
}
