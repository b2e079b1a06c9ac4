package io.parley.transport;

import io.parley.testing.SingleNode;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

/** Every request type over every transport, against one real node. */
@ExtendWith(VertxExtension.class)
class ConversationTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension
  static final SingleNode NODE = new SingleNode();

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("auth, join, publish, message, presence, history, ping, leave")
  void conversation(Transport transport) {
    String room = "conversation." + transport.name().toLowerCase();
    String alice = "alice-" + transport.name().toLowerCase();
    String bob = "bob-" + transport.name().toLowerCase();
    try (TestClient a = authenticated(NODE.vertx(), NODE.node(), alice, transport);
         TestClient b = authenticated(NODE.vertx(), NODE.node(), bob, Transport.WEBSOCKET)) {
      JsonObject joined = join(a, room);
      assertEquals(room, joined.getString("room"));
      assertEquals(0L, joined.getLong("seq"));
      assertFalse(joined.containsKey("recovered"), "recovered only comes with since");
      join(b, room);
      JsonObject bobArrived = a.next(f -> "presence".equals(f.getString("type")) && bob.equals(f.getString("user")), WAIT);
      assertEquals("join", bobArrived.getString("state"));
      assertEquals(room, bobArrived.getString("room"));

      JsonObject body = new JsonObject().put("text", "héllo ✓").put("n", 1);
      JsonObject published = publish(a, room, body);
      assertEquals(1L, published.getLong("seq"));
      for (TestClient client : List.of(a, b)) {
        JsonObject message = client.next(f -> isMessage(f, room), WAIT);
        assertEquals(1L, message.getLong("seq"));
        assertEquals(alice, message.getString("from"));
        assertEquals(body, message.getJsonObject("body"));
        assertTrue(message.getLong("ts") > 0);
      }

      JsonObject presence = expectOk(a.request(new JsonObject().put("type", "presence").put("room", room)));
      assertEquals(new JsonArray(List.of(alice, bob)), presence.getJsonArray("users"));

      JsonObject history = expectOk(b.request(new JsonObject().put("type", "history").put("room", room)));
      assertEquals(1L, history.getLong("seq"));
      assertEquals(1, history.getJsonArray("messages").size());
      assertEquals(body, history.getJsonArray("messages").getJsonObject(0).getJsonObject("body"));

      JsonObject pong = a.request(new JsonObject().put("type", "ping").put("id", 42));
      assertEquals("pong", pong.getString("type"));
      assertEquals(42L, pong.getLong("id"));

      JsonObject left = expectOk(a.request(new JsonObject().put("type", "leave").put("room", room)));
      assertEquals(room, left.getString("room"));
      JsonObject aliceLeft = b.next(f -> "presence".equals(f.getString("type")) && alice.equals(f.getString("user"))
          && "leave".equals(f.getString("state")), WAIT);
      assertEquals(room, aliceLeft.getString("room"));
      expectError(a.request(new JsonObject().put("type", "publish").put("room", room).put("body", 1)), "forbidden");
      publish(b, room, "after alice left");
      a.assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(300));
    }
  }

  /** Presence pushes (the reader's own join among them) may come at any point of a join. */
  static boolean notPresence(JsonObject frame) {
    return !"presence".equals(frame.getString("type"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("join with since recovers exactly the missed messages, in order, before the ok")
  void recovery(Transport transport) {
    String room = "recovery." + transport.name().toLowerCase();
    try (TestClient writer = authenticated(NODE.vertx(), NODE.node(), "writer", Transport.WEBSOCKET)) {
      join(writer, room);
      for (int i = 1; i <= 5; i++) {
        publish(writer, room, i);
      }
      try (TestClient reader = authenticated(NODE.vertx(), NODE.node(), "reader", transport)) {
        JsonObject request = new JsonObject().put("type", "join").put("room", room).put("since", 2).put("id", "j1");
        reader.send(request);
        for (long seq = 3; seq <= 5; seq++) {
          JsonObject message = reader.next(ConversationTest::notPresence, WAIT);
          assertTrue(isMessage(message, room), () -> "expected a message, got " + message);
          assertEquals(seq, message.getLong("seq"));
          assertEquals((int) seq, message.getInteger("body"));
        }
        JsonObject ok = expectOk(reader.next(ConversationTest::notPresence, WAIT));
        assertEquals("j1", ok.getString("id"));
        assertEquals(5L, ok.getLong("seq"));
        assertTrue(ok.getBoolean("recovered"));
        publish(writer, room, 6);
        assertEquals(6L, reader.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("joining a room while messages flow: the ok's seq, then every later message once, in order")
  void joinDuringTraffic(Transport transport) {
    String room = "busy-join-" + transport;
    int messages = 150;
    try (TestClient publisher = authenticated(NODE.vertx(), NODE.node(), "flow-writer");
         TestClient early = authenticated(NODE.vertx(), NODE.node(), "flow-early");
         TestClient late = authenticated(NODE.vertx(), NODE.node(), "flow-late", transport)) {
      join(early, room);
      join(publisher, room);
      for (int i = 1; i <= messages; i++) {
        publisher.send(new JsonObject().put("type", "publish").put("room", room).put("body", i).put("id", "m" + i));
      }
      long start = join(late, room).getLong("seq");
      assertTrue(start <= messages, "ok.seq " + start);
      for (long seq = start + 1; seq <= messages; seq++) {
        assertEquals(seq, late.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      }
      late.assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(300));
      assertEquals(messages, early.next(f -> isMessage(f, room) && f.getLong("seq") == messages, WAIT).getLong("seq"));
    }
  }
}
