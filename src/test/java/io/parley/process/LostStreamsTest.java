package io.parley.process;

import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 section 2, "Epochs: never silent": three nodes with no store, two of them killed at once. The rooms
 * whose both copies died begin a new epoch; members on the survivor are sent {@code reset} and receive every
 * message acknowledged afterwards, and a join with the old epoch says {@code recovered:false}.
 */
@DisplayName("memory only: streams whose every copy died begin a new epoch, and nobody is left silent")
class LostStreamsTest {

  private static final int ROOMS = 48;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final Vertx vertx = Vertx.vertx();
  private ProcessCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    vertx.close();
  }

  @Test
  @DisplayName("two of three nodes killed together: resets, every later publish delivered, recovered:false")
  void twoOfThreeKilled() {
    // quorum off: this is about losing data, not a split (a lone survivor of three would refuse writes;
    // SplitBrainTest covers that)
    cluster = new ProcessCluster("lost", 3, 3000,
        config -> config.getJsonObject("cluster").put("minimumMembers", 1)).start();
    int port = cluster.httpPorts().get(0);
    try (TestClient member = authenticated(port, "member", List.of("*"), List.of());
         TestClient publisher = authenticated(port, "backend", List.of("*"), List.of("lost-*"))) {
      Map<String, String> oldEpochs = new HashMap<>();
      for (int i = 0; i < ROOMS; i++) {
        JsonObject joined = member.request(new JsonObject().put("type", "join").put("room", room(i)));
        oldEpochs.put(room(i), joined.getString("epoch"));
        assertEquals(1L, publishUntilOk(publisher, room(i), "before").getLong("seq"));
      }
      cluster.node(1).kill9();
      cluster.node(2).kill9();
      cluster.node(0).awaitPartitionsSettled(1, WAIT);

      Map<String, String> tags = new HashMap<>();
      Set<String> lost = new HashSet<>();
      for (int i = 0; i < ROOMS; i++) {
        JsonObject ok = publishUntilOk(publisher, room(i), "after-" + i);
        tags.put(room(i), "after-" + i);
        if (ok.getLong("seq") == 1) {
          lost.add(room(i));
        } else {
          assertEquals(2L, ok.getLong("seq"), room(i) + " kept its stream: it goes on");
        }
      }
      System.out.println(lost.size() + " of " + ROOMS + " rooms lost every copy");
      assertTrue(lost.size() > 0, "with two of three nodes gone some rooms lost both copies");

      List<String> problems = new ArrayList<>();
      Set<String> resetRooms = new HashSet<>();
      Set<String> delivered = new HashSet<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (delivered.size() < ROOMS && System.nanoTime() < deadline) {
        JsonObject frame = member.next(f -> f.containsKey("room"), WAIT);
        String room = frame.getString("room");
        if ("reset".equals(frame.getString("type"))) {
          resetRooms.add(room);
          if (!lost.contains(room)) {
            problems.add(room + " was reset but kept its stream");
          }
          if (oldEpochs.get(room).equals(frame.getString("epoch"))) {
            problems.add(room + " was reset to its old epoch");
          }
        } else if ("message".equals(frame.getString("type"))) {
          String tag = frame.getJsonObject("body").getString("tag");
          if (tags.get(room).equals(tag)) {
            delivered.add(room);
            if (lost.contains(room) && !resetRooms.contains(room)) {
              problems.add(room + ": a message of the new epoch came before the reset");
            }
          }
        }
      }
      assertEquals(List.of(), problems);
      assertEquals(ROOMS, delivered.size(), "every publish acknowledged after the crash reached the member");
      assertEquals(lost, resetRooms, "exactly the rooms that lost every copy were reset");

      try (TestClient returning = authenticated(port, "returning", List.of("*"), List.of())) {
        for (int i = 0; i < ROOMS; i++) {
          String room = room(i);
          JsonObject joined = returning.request(new JsonObject().put("type", "join").put("room", room)
              .put("since", 1).put("epoch", oldEpochs.get(room)));
          assertEquals(!lost.contains(room), joined.getBoolean("recovered"), room + ": " + joined);
          if (lost.contains(room)) {
            assertNotEquals(oldEpochs.get(room), joined.getString("epoch"));
          }
        }
      }
    }
  }

  private static String room(int i) {
    return "lost-" + i;
  }

  /** Publishes, retrying with the same id while the cluster answers unavailable (it is re-forming). */
  private static JsonObject publishUntilOk(TestClient publisher, String room, String tag) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonObject request = new JsonObject().put("type", "publish").put("room", room)
        .put("body", new JsonObject().put("tag", tag)).put("id", room + "/" + tag);
    while (true) {
      JsonObject reply = publisher.request(request);
      if ("ok".equals(reply.getString("type"))) {
        return reply;
      }
      if (System.nanoTime() > deadline || !"unavailable".equals(reply.getString("code"))) {
        throw new AssertionError("publish to " + room + " failed: " + reply);
      }
    }
  }

  private TestClient authenticated(int port, String user, List<String> rooms, List<String> publish) {
    TestClient client = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, port);
    JsonObject ok = client.request(new JsonObject().put("type", "auth")
        .put("token", TestNodes.token(vertx, user, rooms, publish)));
    assertEquals("ok", ok.getString("type"), () -> "auth: " + ok);
    return client;
  }
}
