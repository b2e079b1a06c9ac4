package io.parley.cluster;

import com.hazelcast.map.IMap;
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
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 item 7 without a store (store.kind memory) on two nodes: a stream whose retention is over (nothing made
 * or written for its ttlMs) and that nobody is in leaves the cluster's memory, and with it its place under
 * limits.maxRooms; a stream someone is in stays, whatever its age.
 */
class StreamEvictionTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final long TTL_MS = 1000;
  private static final int MAX_ROOMS = 3;
  private static Vertx vertx;
  private static List<ParleyNode> nodes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    nodes = TestNodes.startCluster(2, config -> {
      config.getJsonObject("history").put("ttlMs", TTL_MS);
      config.getJsonObject("users").getJsonObject("history").put("ttlMs", TTL_MS);
      config.getJsonObject("limits").put("maxRooms", MAX_ROOMS).put("maxStreams", 0);
    });
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  @Test
  @DisplayName("quiet rooms and made-up users leave memory after their ttl; rooms and users in use stay")
  void quietStreamsLeave() {
    IMap<String, StreamLog> rooms = nodes.get(0).hazelcast().getMap(RoomHistory.MAP_NAME);
    IMap<String, StreamLog> users = nodes.get(0).hazelcast().getMap(UserStreams.MAP_NAME);
    try (TestClient member = authenticated(vertx, nodes.get(1), "e-member")) {
      join(member, "kept");
      String oldEpoch;
      try (TestClient writer = authenticated(vertx, nodes.get(0), "e-writer")) {
        oldEpoch = join(writer, "quiet-1").getString("epoch");
        join(writer, "quiet-2");
        join(writer, "kept");
        for (String room : new String[]{"quiet-1", "quiet-2", "kept"}) {
          assertEquals(1L, publish(writer, room, "hello " + room).getLong("seq"));
        }
        expectOk(writer.request(new JsonObject().put("type", "send").put("to", "made-up").put("body", "boo")));
        expectOk(writer.request(new JsonObject().put("type", "send").put("to", "e-member").put("body", "hi")));
        assertTrue(rooms.containsKey("quiet-1") && users.containsKey("made-up"));
      }
      assertTrue(Poll.until(() -> !rooms.containsKey("quiet-1") && !rooms.containsKey("quiet-2")
          && !users.containsKey("made-up") && !users.containsKey("e-writer"), WAIT), "quiet streams left memory");
      assertTrue(rooms.containsKey("kept"), "a room someone is in stays");
      assertTrue(users.containsKey("e-member"), "a user with a session keeps their stream");
      assertTrue(evicted("room") >= 2 && evicted("user") >= 2, "counted by the nodes that swept them");

      assertEquals(2L, publish(member, "kept", "on").getLong("seq"), "the room in use goes on, no reset");
      member.assertNoFrame(f -> "reset".equals(f.getString("type")), Duration.ofMillis(300));

      assertTrue(Poll.until(() -> Scrape.streams(vertx, nodes.get(0), "room") == 1, WAIT),
          "the limits count the rooms that are left");
      try (TestClient back = authenticated(vertx, nodes.get(0), "e-back")) {
        JsonObject rejoined = expectOk(back.request(new JsonObject().put("type", "join").put("room", "quiet-1")
            .put("since", 1).put("epoch", oldEpoch)));
        assertEquals(false, rejoined.getBoolean("recovered"), "a new run: the old position is not recovered");
        assertNotEquals(oldEpoch, rejoined.getString("epoch"));
        assertEquals(0L, rejoined.getLong("seq"));
        // a node's count may run one stream high while a count of the maps overlaps its own new one: let it settle
        assertTrue(Poll.until(() -> Scrape.streams(vertx, nodes.get(0), "room") == 2, WAIT));
        join(back, "quiet-3"); // the third room: kept, quiet-1 and this one
        JsonObject full = expectError(back.request(new JsonObject().put("type", "join").put("room", "quiet-4")),
            "forbidden");
        assertTrue(full.getString("message").contains("limits.maxRooms"), full::encode);
        assertEquals(1.0, Scrape.refused(vertx, nodes.get(0), ParleyMetrics.LIMIT_ROOMS));
      }
    }
  }

  private static double evicted(String kind) {
    return nodes.stream().mapToDouble(node -> Scrape.value(vertx, node,
        "parley_streams_evicted_total{kind=\"" + kind + "\"}")).sum();
  }
}
