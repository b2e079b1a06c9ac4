package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.joinSince;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three real clustered nodes in one JVM, each with its own Hazelcast member, talking over loopback. */
@ExtendWith(VertxExtension.class)
class ClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static Vertx vertx;
  private static List<ParleyNode> nodes;

  @BeforeAll
  static void startCluster() {
    vertx = Vertx.vertx();
    long start = System.nanoTime();
    nodes = TestNodes.startCluster(3);
    System.out.printf("three-node cluster formed in %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void stopCluster() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  @Test
  @DisplayName("a message published on B reaches members on A and C with the same seq; presence from any node")
  void crossNodeDelivery() {
    String room = "cluster-lobby";
    try (TestClient onA = authenticated(vertx, nodes.get(0), "ann");
         TestClient onB = authenticated(vertx, nodes.get(1), "bert");
         TestClient onC = authenticated(vertx, nodes.get(2), "cleo")) {
      join(onA, room);
      join(onC, room);
      join(onB, room);
      JsonObject published = publish(onB, room, new JsonObject().put("text", "from B"));
      long seq = published.getLong("seq");
      for (TestClient member : List.of(onA, onC, onB)) {
        JsonObject message = member.next(f -> isMessage(f, room), WAIT);
        assertEquals(seq, message.getLong("seq"));
        assertEquals("bert", message.getString("from"));
        assertEquals("from B", message.getJsonObject("body").getString("text"));
      }
      for (TestClient asker : List.of(onA, onB, onC)) {
        JsonObject presence = expectOk(asker.request(new JsonObject().put("type", "presence").put("room", room)));
        assertEquals(new JsonArray(List.of("ann", "bert", "cleo")), presence.getJsonArray("users"));
      }
    }
  }

  @Test
  @DisplayName("concurrent publishers on two nodes: every node delivers every seq once, in order")
  void orderAcrossNodes() throws Exception {
    String room = "cluster-order";
    int perPublisher = 150;
    List<TestClient> receivers = new ArrayList<>();
    try (TestClient p1 = authenticated(vertx, nodes.get(0), "pub-1");
         TestClient p2 = authenticated(vertx, nodes.get(1), "pub-2")) {
      for (int i = 0; i < 3; i++) {
        TestClient receiver = authenticated(vertx, nodes.get(i), "recv-" + i);
        join(receiver, room);
        receivers.add(receiver);
      }
      join(p1, room);
      join(p2, room);
      CompletableFuture<Void> first = CompletableFuture.runAsync(() -> publishMany(p1, room, perPublisher));
      CompletableFuture<Void> second = CompletableFuture.runAsync(() -> publishMany(p2, room, perPublisher));
      first.get();
      second.get();
      for (TestClient receiver : receivers) {
        for (long seq = 1; seq <= 2L * perPublisher; seq++) {
          JsonObject message = receiver.next(f -> isMessage(f, room), WAIT);
          assertEquals(seq, message.getLong("seq"), "seq order on a receiver");
        }
        receiver.assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(300));
      }
    } finally {
      receivers.forEach(TestClient::close);
    }
  }

  @Test
  @DisplayName("rooms joined all at once, spread over the node's hubs: each delivers its own messages, once")
  void manyRoomsJoinedAtOnce() {
    int rooms = 24;
    try (TestClient reader = authenticated(vertx, nodes.get(0), "many-reader");
         TestClient writer = authenticated(vertx, nodes.get(1), "many-writer")) {
      for (int i = 0; i < rooms; i++) {
        reader.send(new JsonObject().put("type", "join").put("room", "many-" + i).put("id", "j" + i));
      }
      for (int i = 0; i < rooms; i++) {
        String id = "j" + i;
        expectOk(reader.next(f -> id.equals(f.getString("id")), WAIT));
        join(writer, "many-" + i);
      }
      for (int i = 0; i < rooms; i++) {
        publish(writer, "many-" + i, "to-" + i);
      }
      for (int i = 0; i < rooms; i++) {
        String room = "many-" + i;
        JsonObject message = reader.next(f -> isMessage(f, room), WAIT);
        assertEquals("to-" + i, message.getString("body"));
        assertEquals(1L, message.getLong("seq"));
      }
      reader.assertNoFrame(f -> "message".equals(f.getString("type")), Duration.ofMillis(300));
    }
  }

  private static void publishMany(TestClient client, String room, int count) {
    for (int i = 0; i < count; i++) {
      client.send(new JsonObject().put("type", "publish").put("room", room).put("body", i).put("id", "m" + i));
    }
    for (int i = 0; i < count; i++) {
      String id = "m" + i;
      JsonObject ok = client.next(f -> id.equals(f.getString("id")), WAIT);
      assertEquals("ok", ok.getString("type"), () -> "publish failed: " + ok);
    }
  }

  @Test
  @DisplayName("a client that reconnects to another node with since recovers exactly what it missed, in order")
  void recoveryOnAnotherNode() {
    String room = "cluster-recovery";
    long lastSeen;
    try (TestClient writer = authenticated(vertx, nodes.get(1), "writer")) {
      join(writer, room);
      try (TestClient reader = authenticated(vertx, nodes.get(0), "reader")) {
        join(reader, room);
        for (int i = 1; i <= 3; i++) {
          publish(writer, room, "before-" + i);
        }
        JsonObject last = null;
        for (int i = 0; i < 3; i++) {
          last = reader.next(f -> isMessage(f, room), WAIT);
        }
        lastSeen = last.getLong("seq");
      }
      List<Long> missed = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        missed.add(publish(writer, room, "missed-" + i).getLong("seq"));
      }
      try (TestClient back = authenticated(vertx, nodes.get(2), "reader")) {
        back.send(new JsonObject().put("type", "join").put("room", room).put("since", lastSeen).put("id", "again"));
        for (int i = 0; i < missed.size(); i++) {
          JsonObject message = back.next(f -> !"presence".equals(f.getString("type")), WAIT);
          assertTrue(isMessage(message, room), () -> "expected a recovered message, got " + message);
          assertEquals(missed.get(i), message.getLong("seq"));
          assertEquals("missed-" + (i + 1), message.getString("body"));
        }
        JsonObject ok = expectOk(back.next(f -> !"presence".equals(f.getString("type")), WAIT));
        assertEquals("again", ok.getString("id"));
        assertTrue(ok.getBoolean("recovered"));
        assertEquals(missed.get(missed.size() - 1), ok.getLong("seq"));
        long live = publish(writer, room, "live").getLong("seq");
        assertEquals(live, back.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      }
    }
  }

  @Test
  @DisplayName("history and since recovery report recovered:false once messages fell out of history")
  void recoveryBeyondHistory() {
    String room = "cluster-overflow";
    try (TestClient writer = authenticated(vertx, nodes.get(0), "flood")) {
      join(writer, room);
      int capacity = nodes.get(0).config().history().size();
      for (int i = 0; i < capacity + 5; i++) {
        writer.send(new JsonObject().put("type", "publish").put("room", room).put("body", i).put("id", "f" + i));
      }
      String lastId = "f" + (capacity + 4);
      expectOk(writer.next(f -> lastId.equals(f.getString("id")), Duration.ofSeconds(30)));
      try (TestClient late = authenticated(vertx, nodes.get(1), "late")) {
        JsonObject ok = null;
        late.send(new JsonObject().put("type", "join").put("room", room).put("since", 1).put("id", "late"));
        int recovered = 0;
        while (ok == null) {
          JsonObject frame = late.next(f -> !"presence".equals(f.getString("type")), Duration.ofSeconds(10));
          if ("ok".equals(frame.getString("type"))) {
            ok = frame;
          } else {
            recovered++;
          }
        }
        assertEquals(false, ok.getBoolean("recovered"));
        assertEquals(capacity, recovered, "everything still in history is sent");
        assertEquals((long) capacity + 5, ok.getLong("seq"));
      }
    }
  }

  @Test
  @DisplayName("a room that is only joined and read keeps no message, one epoch for every node; its first message is seen by all")
  void historyEntryOnlyOnceARoomHasMessages() {
    String room = "cluster-quiet";
    try (TestClient onA = authenticated(vertx, nodes.get(0), "quiet-a");
         TestClient onB = authenticated(vertx, nodes.get(1), "quiet-b")) {
      JsonObject joined = expectOk(joinSince(onA, room, 0));
      assertEquals(0L, joined.getLong("seq"));
      assertEquals(true, joined.getBoolean("recovered"));
      join(onB, room);
      JsonObject history = expectOk(onB.request(new JsonObject().put("type", "history").put("room", room)));
      assertEquals(0L, history.getLong("seq"));
      assertTrue(history.getJsonArray("messages").isEmpty());
      JsonObject claimsMore = expectOk(onB.request(
          new JsonObject().put("type", "history").put("room", room).put("since", 3)));
      assertEquals(0L, claimsMore.getLong("seq"));
      String epoch = joined.getString("epoch");
      assertNotNull(epoch);
      assertEquals(epoch, history.getString("epoch"), "the epoch made on the first touch is every node's");
      assertEquals(0, keptOnAnyNode(room), "no message kept for a room without messages");

      long seq = publish(onB, room, "first").getLong("seq");
      assertEquals(1L, seq);
      assertEquals(1L, onA.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      assertEquals(1, keptOnAnyNode(room));
      try (TestClient onC = authenticated(vertx, nodes.get(2), "quiet-c")) {
        JsonObject third = expectOk(join(onC, room));
        assertEquals(1L, third.getLong("seq"), "a third node reads the same history");
        assertEquals(epoch, third.getString("epoch"));
      }
    }
  }

  /** The messages the room's history entry keeps in memory (0 without an entry). */
  private static int keptOnAnyNode(String room) {
    StreamLog log = nodes.get(0).hazelcast().<String, StreamLog>getMap(RoomHistory.MAP_NAME).get(room);
    return log == null ? 0 : log.size();
  }
}
