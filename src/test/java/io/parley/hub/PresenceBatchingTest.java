package io.parley.hub;

import io.parley.ParleyNode;
import io.parley.testing.BatchMetrics;
import io.parley.testing.Http;
import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fanout.presenceIntervalMs} over real WebSockets: in a storm of joins and leaves a room's members get the
 * presence pushes together once per interval, in order, whichever node they come from; a message never waits for
 * presence.
 */
class PresenceBatchingTest {

  private static final long INTERVAL_MS = 2000;
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** One gateway, so that every member of a room is served by the same batch; messages are not batched. */
  @RegisterExtension
  static final SingleNode NODE = new SingleNode(PresenceBatchingTest::batching);

  private static void batching(JsonObject config) {
    config.getJsonObject("node").put("gateways", 1);
    config.getJsonObject("fanout").put("batchIntervalMs", 0).put("presenceIntervalMs", INTERVAL_MS);
  }

  @Test
  @DisplayName("a join after a quiet spell goes at once; the joins and leaves right after it wait and go together")
  void stormOfJoinsGoesTogether() {
    storm(NODE.node(), NODE.node(), "presence-storm");
  }

  @Test
  @DisplayName("two-node cluster: joins on the other node wait for the watcher's node's turn the same way")
  void stormFromAnotherNode() {
    List<ParleyNode> nodes = TestNodes.startCluster(2, PresenceBatchingTest::batching);
    try {
      storm(nodes.get(1), nodes.get(0), "presence-cluster");
    } finally {
      nodes.forEach(TestNodes::stop);
    }
  }

  /**
   * A watcher on {@code watcherNode} in a quiet room; users join it on {@code joinerNode}: the first join reaches
   * the watcher at once, three more and a leave right after it wait for the room's next turn and arrive together.
   */
  private static void storm(ParleyNode watcherNode, ParleyNode joinerNode, String room) {
    List<TestClient> clients = new ArrayList<>();
    try (TestClient watcher = quietMember(watcherNode, room)) {
      BatchMetrics before = BatchMetrics.of(NODE.vertx(), watcherNode);
      clients.add(joined(joinerNode, room + "-1", room));
      assertEquals(List.of(room + "-1 join"), presence(watcher, room, 1));
      long firstAt = System.nanoTime();

      for (int i = 2; i <= 4; i++) {
        clients.add(joined(joinerNode, room + "-" + i, room));
      }
      expectOk(clients.get(2).request(new JsonObject().put("type", "leave").put("room", room)));

      JsonObject next = watcher.next(f -> isPresence(f, room), WAIT);
      long waitedMs = (System.nanoTime() - firstAt) / 1_000_000;
      assertTrue(waitedMs >= INTERVAL_MS - 500, "the second join waited only " + waitedMs + " ms");
      List<String> rest = new ArrayList<>(List.of(describe(next)));
      rest.addAll(presence(watcher, room, 3));
      assertEquals(List.of(room + "-2 join", room + "-3 join", room + "-4 join", room + "-3 leave"), rest);
      watcher.assertNoFrame(f -> isPresence(f, room), Duration.ZERO);

      BatchMetrics added = BatchMetrics.of(NODE.vertx(), watcherNode).since(before);
      assertEquals(2, added.batches(), "batches: the first join, then the four pushes that waited");
      assertEquals(5, added.pushes(), "presence pushes in those batches");
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  @DisplayName("a message goes at once and takes the waiting presence pushes along, before it")
  void messageTakesWaitingPresenceAlong() {
    String room = "presence-message";
    try (TestClient watcher = quietMember(NODE.node(), room);
         TestClient first = joined(NODE.node(), "early-joiner", room)) {
      assertEquals(List.of("early-joiner join"), presence(watcher, room, 1));
      try (TestClient second = joined(NODE.node(), "late-joiner", room)) {
        Http.sleep(300); // the second join reached the room's batch and waits there
        long publishedAt = System.nanoTime();
        publish(first, room, "hello");

        JsonObject waited = watcher.next(f -> isPresence(f, room) || isMessage(f, room), WAIT);
        assertEquals("late-joiner join", describe(waited), "the waiting join comes first");
        JsonObject message = watcher.next(f -> isMessage(f, room), WAIT);
        long tookMs = (System.nanoTime() - publishedAt) / 1_000_000;
        assertEquals("hello", message.getString("body"));
        assertTrue(tookMs < INTERVAL_MS / 2, "the message waited " + tookMs + " ms for presence");
      }
    }
  }

  /** A member of {@code room} whose own join push has gone and been read: the room is quiet. */
  private static TestClient quietMember(ParleyNode node, String room) {
    TestClient watcher = joined(node, "watcher-" + room, room);
    assertEquals(List.of("watcher-" + room + " join"), presence(watcher, room, 1));
    Http.sleep(INTERVAL_MS + 300);
    return watcher;
  }

  private static TestClient joined(ParleyNode node, String user, String room) {
    TestClient client = authenticated(NODE.vertx(), node, user);
    join(client, room);
    return client;
  }

  private static List<String> presence(TestClient client, String room, int count) {
    List<String> pushes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pushes.add(describe(client.next(f -> isPresence(f, room), WAIT)));
    }
    return pushes;
  }

  private static boolean isPresence(JsonObject frame, String room) {
    return "presence".equals(frame.getString("type")) && room.equals(frame.getString("room"));
  }

  private static String describe(JsonObject presence) {
    return presence.getString("user") + " " + presence.getString("state");
  }
}
