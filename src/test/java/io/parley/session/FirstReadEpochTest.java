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

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Without a store a new stream's epoch is random. A {@code history} read of a room with no stream yet must name the
 * epoch the room then keeps: parley.js reads history before it joins, and a join's other epoch would tell it that
 * the room's run changed (a reset) on every first join of a new room.
 */
class FirstReadEpochTest {

  private static Vertx vertx;
  private static ParleyNode node;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(config -> config.getJsonObject("store").put("kind", "memory"));
  }

  @AfterAll
  static void stop() {
    TestNodes.stop(node);
    vertx.close();
  }

  @Test
  @DisplayName("history of a room with no stream names the epoch the join then gets")
  void readThenJoinSameEpoch() {
    try (TestClient reader = authenticated(vertx, node, "first-reader");
         TestClient other = authenticated(vertx, node, "other-reader")) {
      String read = history(reader, "brand-new");
      assertEquals(read, history(other, "brand-new"), "every reader names the same run");
      assertEquals(read, join(reader, "brand-new").getString("epoch"), "the join continues the run the read named");
    }
  }

  private static String history(TestClient client, String room) {
    return expectOk(client.request(new JsonObject().put("type", "history").put("room", room))).getString("epoch");
  }
}
