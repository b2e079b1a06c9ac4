package io.parley.session;

import io.parley.ParleyNode;
import io.parley.testing.Http;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 18 item 6: history, recovery and presence share a per-connection token bucket (limits.reads*). */
class ReadLimitsTest {

  private static Vertx vertx;
  private static ParleyNode node;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(config -> config.getJsonObject("limits").put("readsPerSecond", 0.2)
        .put("readBurst", 3).put("maxFrameBytes", 1024).put("maxReplyBytes", 2048));
  }

  @AfterAll
  static void stop() {
    TestNodes.stop(node);
    vertx.close();
  }

  @Test
  @DisplayName("a history reply keeps within limits.maxReplyBytes: the oldest when paging, the newest otherwise")
  void repliesAreBounded() {
    try (TestClient writer = authenticated(vertx, node, "big-writer")) {
      join(writer, "wordy");
      for (int i = 1; i <= 20; i++) {
        publish(writer, "wordy", "m" + i + "-" + "x".repeat(150));
      }
      try (TestClient reader = authenticated(vertx, node, "big-reader")) {
        JsonObject newest = expectOk(reader.request(new JsonObject().put("type", "history").put("room", "wordy")));
        JsonObject paged = expectOk(reader.request(new JsonObject().put("type", "history").put("room", "wordy")
            .put("since", 0)));
        JsonObject few = expectOk(reader.request(new JsonObject().put("type", "history").put("room", "wordy")
            .put("limit", 2)));
        int kept = newest.getJsonArray("messages").size();
        assertTrue(kept > 3 && kept < 20 && newest.getBoolean("truncated"), newest::encode);
        assertTrue(newest.encode().length() <= 2048, "within the cap: " + newest.encode().length());
        assertTrue(newest.getJsonArray("messages").getJsonObject(kept - 1).getString("body").startsWith("m20-"));
        assertTrue(paged.getJsonArray("messages").getJsonObject(0).getString("body").startsWith("m1-"));
        assertTrue(paged.getBoolean("truncated"));
        assertEquals(2, few.getJsonArray("messages").size());
        assertFalse(few.containsKey("truncated"));
      }
    }
  }

  @Test
  @DisplayName("history, join with since and presence draw on one bucket; a plain join does not; beyond it rate_limited")
  void readsAreBounded() {
    try (TestClient client = authenticated(vertx, node, "reader");
         TestClient other = authenticated(vertx, node, "other")) {
      expectOk(client.request(new JsonObject().put("type", "history").put("room", "r1")));
      expectOk(client.request(new JsonObject().put("type", "join").put("room", "r1").put("since", 0)));
      expectOk(client.request(new JsonObject().put("type", "join").put("room", "r2"))); // no read
      expectOk(client.request(new JsonObject().put("type", "presence").put("room", "r1")));
      expectError(client.request(new JsonObject().put("type", "history").put("room", "r1")), "rate_limited");
      expectError(client.request(new JsonObject().put("type", "join").put("room", "r3").put("since", 0)),
          "rate_limited");
      expectOk(other.request(new JsonObject().put("type", "presence").put("room", "r1"))); // per connection
      assertTrue(Http.get(vertx, node.port(), "/metrics").body().contains("parley_rate_limited_total{kind=\"read\"} 2.0"));
    }
  }
}
