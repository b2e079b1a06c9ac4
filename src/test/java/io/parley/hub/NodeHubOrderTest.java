package io.parley.hub;

import io.parley.cluster.RoomBus;
import io.parley.testing.Http;
import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.StoredMessages.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub restores seq order from the event bus's arrival order, and fetches a seq that never arrives from
 * history, also when nothing follows it. Frames are put on the real clustered event bus and in the real
 * history, as a publisher would.
 */
@ExtendWith(VertxExtension.class)
class NodeHubOrderTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension
  static final SingleNode NODE = new SingleNode();

  @Test
  @DisplayName("seq 2 arriving before seq 1 is delivered after it")
  void reorders() {
    String room = "reorder";
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "orderly")) {
      join(client, room);
      String first = store(NODE.node(), room, "one");
      String second = store(NODE.node(), room, "two");
      busPublish(room, 2, second);
      busPublish(room, 1, first);
      assertEquals(1L, client.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      assertEquals(2L, client.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      client.assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(300));
    }
  }

  @Test
  @DisplayName("seqs stored but never published arrive from history, before the later ones")
  void fillsGapsFromHistory() {
    String room = "gap";
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "patient")) {
      join(client, room);
      store(NODE.node(), room, "lost-1");
      store(NODE.node(), room, "lost-2");
      String third = store(NODE.node(), room, "three");
      busPublish(room, 3, third);
      for (long seq = 1; seq <= 3; seq++) {
        JsonObject message = client.next(f -> isMessage(f, room), WAIT);
        assertEquals(seq, message.getLong("seq"));
      }
      assertEquals("lost-1", history(client, room).getJsonArray("messages").getJsonObject(0).getString("body"));
    }
  }

  @Test
  @DisplayName("the last seqs of a burst, stored but never published, arrive from history once the room is quiet")
  void fillsTheTailOfABurst() {
    String room = "tail";
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "tail-reader")) {
      join(client, room);
      busPublish(room, 1, store(NODE.node(), room, "arrives"));
      store(NODE.node(), room, "lost-2");
      store(NODE.node(), room, "lost-3");
      for (long seq = 1; seq <= 3; seq++) {
        assertEquals(seq, client.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      }
      client.assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(3 * NodeHub.TAIL_CHECK_MS));
      assertTrue(Http.get(NODE.vertx(), NODE.port(), "/metrics").body()
          .matches("(?s).*parley_hub_history_fetches_total\\{reason=\"tail\"} [1-9].*"), "the tail read is counted");
    }
  }

  @Test
  @DisplayName("a duplicate of an already delivered seq is dropped")
  void dropsDuplicates() {
    String room = "dup";
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "once")) {
      join(client, room);
      String first = store(NODE.node(), room, "only once");
      busPublish(room, 1, first);
      busPublish(room, 1, first);
      assertEquals(1L, client.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      client.assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(400));
    }
  }

  private static JsonObject history(TestClient client, String room) {
    return client.request(new JsonObject().put("type", "history").put("room", room));
  }


  private static void busPublish(String room, long seq, String frame) {
    NODE.node().vertx().eventBus().publish(RoomBus.address(room), frame,
        new DeliveryOptions().addHeader(RoomBus.SEQ_HEADER, Long.toString(seq)));
  }
}
