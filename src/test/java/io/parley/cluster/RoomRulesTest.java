package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code history.rooms}: retention and presence by room-name pattern, the first match winning. */
class RoomRulesTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir
  static Path data;
  private static Vertx vertx;
  private static ParleyNode node;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(config -> {
      config.getJsonObject("store").put("kind", "embedded").put("path", data.toString());
      config.getJsonObject("history").put("rooms", new JsonArray()
          .add(new JsonObject().put("pattern", "typing:*").put("store", false).put("presence", false))
          .add(new JsonObject().put("pattern", "small*").put("size", 3))
          .add(new JsonObject().put("pattern", "smaller").put("size", 1))); // never reached: small* wins
      config.getJsonObject("store").put("memoryMessages", 2); // reads beyond memory come from the store
    });
  }

  @AfterAll
  static void stop() {
    TestNodes.stop(node);
    vertx.close();
  }

  @Test
  @DisplayName("a room that is not stored delivers live, keeps nothing, counts seqs, and sends no presence")
  void notStored() {
    String room = "typing:42";
    try (TestClient watcher = authenticated(vertx, node, "w");
         TestClient typist = authenticated(vertx, node, "t")) {
      join(watcher, room);
      join(typist, room);
      assertEquals(1L, publish(typist, room, "…").getLong("seq"));
      assertEquals(2L, publish(typist, room, "……").getLong("seq"));
      assertEquals("…", watcher.next(f -> isMessage(f, room), WAIT).getString("body"));
      assertEquals("……", watcher.next(f -> isMessage(f, room), WAIT).getString("body"));
      JsonObject history = expectOk(watcher.request(new JsonObject().put("type", "history").put("room", room)));
      assertEquals(2L, history.getLong("seq"));
      assertTrue(history.getJsonArray("messages").isEmpty(), history::encode);
      watcher.assertNoFrame(f -> "presence".equals(f.getString("type")), Duration.ofMillis(1500));
    }
  }

  @Test
  @DisplayName("the first matching rule's size holds, in memory and in the store beyond it")
  void firstMatchWins() {
    for (String room : new String[]{"small-1", "smaller"}) {
      try (TestClient writer = authenticated(vertx, node, "writer-" + room)) {
        join(writer, room);
        for (int i = 1; i <= 6; i++) {
          publish(writer, room, "m" + i);
        }
        JsonObject history = expectOk(writer.request(new JsonObject().put("type", "history").put("room", room)));
        assertEquals(3, history.getJsonArray("messages").size(), room + ": " + history.encode());
        assertEquals("m4", history.getJsonArray("messages").getJsonObject(0).getString("body"),
            "the newest 3, the oldest of them read from the store (memory keeps 2)");
      }
    }
  }
}
