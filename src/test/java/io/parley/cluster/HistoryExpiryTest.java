package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.testing.Http;
import io.parley.testing.Poll;
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
import java.util.List;
import java.util.stream.IntStream;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.joinSince;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code history.ttlMs} on two clustered nodes: expired messages leave reads and the nodes' memory, wherever
 * their rooms' entries live, and every room's seq goes on from where it was.
 */
@ExtendWith(VertxExtension.class)
class HistoryExpiryTest {

  private static final long TTL_MS = 1500;
  private static final int ROOMS = 12;
  private static final int MESSAGES = 3;
  private static Vertx vertx;
  private static List<ParleyNode> nodes;

  @BeforeAll
  static void startCluster() {
    vertx = Vertx.vertx();
    nodes = TestNodes.startCluster(2, config -> config.getJsonObject("history").put("ttlMs", TTL_MS));
  }

  @AfterAll
  static void stopCluster() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  @Test
  @DisplayName("expired messages are dropped by the owners' sweeps; recovery and seq go on from the last seq")
  void expiredMessagesLeaveAndSeqGoesOn() {
    List<String> rooms = IntStream.range(0, ROOMS).mapToObj(i -> "expiring-" + i).toList();
    try (TestClient writer = authenticated(vertx, nodes.get(0), "writer");
         TestClient reader = authenticated(vertx, nodes.get(1), "reader")) {
      for (String room : rooms) {
        join(writer, room);
        for (int i = 1; i <= MESSAGES; i++) {
          assertEquals(i, publish(writer, room, "m" + i).getLong("seq"));
        }
      }
      JsonObject fresh = history(reader, rooms.get(0));
      assertEquals(MESSAGES, fresh.getJsonArray("messages").size(), "kept while younger than the TTL");

      assertTrue(Poll.until(() -> rooms.stream().allMatch(room -> keptMessages(room) == 0),
              Duration.ofMillis(TTL_MS * 4)),
          "every room's messages are dropped soon after the TTL, without a read or write to trigger it");
      assertTrue(Poll.until(() -> expiredOnAllNodes() == ROOMS * MESSAGES, Duration.ofSeconds(5)),
          "the nodes' sweeps count every message once: " + expiredOnAllNodes());

      String room = rooms.get(0);
      JsonObject empty = history(reader, room);
      assertEquals(MESSAGES, empty.getLong("seq"));
      assertTrue(empty.getJsonArray("messages").isEmpty());
      JsonObject upToDate = expectOk(joinSince(reader, room, MESSAGES));
      assertEquals(MESSAGES, upToDate.getLong("seq"));
      assertEquals(true, upToDate.getBoolean("recovered"), "nothing the client had not seen expired");
      try (TestClient late = authenticated(vertx, nodes.get(0), "late")) {
        JsonObject behind = expectOk(joinSince(late, room, 1));
        assertEquals(false, behind.getBoolean("recovered"), "messages 2 and 3 expired unseen");
        assertEquals(MESSAGES, behind.getLong("seq"));
      }

      assertEquals(MESSAGES + 1, publish(writer, room, "after").getLong("seq"), "the seq goes on");
      JsonObject after = history(reader, room);
      assertEquals(1, after.getJsonArray("messages").size());
      assertEquals(MESSAGES + 1, after.getJsonArray("messages").getJsonObject(0).getLong("seq"));
    }
  }

  private static JsonObject history(TestClient client, String room) {
    return expectOk(client.request(new JsonObject().put("type", "history").put("room", room)));
  }

  /** The messages the room's entry holds in memory, read from its owner as Hazelcast stores it. */
  private static int keptMessages(String room) {
    StreamLog log = nodes.get(0).hazelcast().<String, StreamLog>getMap(RoomHistory.MAP_NAME).get(room);
    return log == null ? -1 : log.size();
  }

  private static double expiredOnAllNodes() {
    return nodes.stream().mapToDouble(node -> Http.get(vertx, node.port(), "/metrics").body().lines()
            .filter(line -> line.startsWith("parley_history_expired_total"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum())
        .sum();
  }
}
