package io.parley.hub;

import io.parley.ParleyNode;
import io.parley.testing.BatchMetrics;
import io.parley.testing.Http;
import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fanout.batchIntervalMs} over real WebSockets: a room's pushes on a gateway go out at most once per
 * interval, the ones that waited together, in order, and nobody misses or repeats a message because of the wait
 * (over WebSocket and SockJS, on one node and across two).
 */
class FanoutBatchingTest {

  private static final long INTERVAL_MS = 1000;
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** One gateway, so that every member of a room is served by the same batch. */
  @RegisterExtension
  static final SingleNode NODE = new SingleNode(FanoutBatchingTest::batching);

  private static void batching(JsonObject config) {
    config.getJsonObject("node").put("gateways", 1);
    config.getJsonObject("fanout").put("batchIntervalMs", INTERVAL_MS);
  }

  @Test
  @DisplayName("a message after a quiet spell and one close behind it go at once; the later ones wait and go together")
  void batchesWithinTheInterval() {
    String room = "batch-a";
    try (TestClient member = authenticated(NODE.vertx(), NODE.node(), "batch-member");
         TestClient publisher = publisherFor(NODE.node(), room)) {
      burst(member, NODE.node(), publisher, room);
    }
  }

  @Test
  @DisplayName("two-node cluster: messages published on the other node wait for the member's node's turn the same way")
  void batchesMessagesFromAnotherNode() {
    List<ParleyNode> nodes = TestNodes.startCluster(2, FanoutBatchingTest::batching);
    String room = "batch-cluster";
    try (TestClient member = authenticated(NODE.vertx(), nodes.get(1), "batch-remote-member");
         TestClient publisher = publisherFor(nodes.get(0), room)) {
      burst(member, nodes.get(1), publisher, room);
    } finally {
      nodes.forEach(TestNodes::stop);
    }
  }

  /**
   * The member joins and the room goes quiet; one message, one close behind it (both at once), then five sent
   * together: they wait for the room's next turn on the member's node and go out as one batch, in order.
   */
  private static void burst(TestClient member, ParleyNode memberNode, TestClient publisher, String room) {
    join(member, room);
    Http.sleep(INTERVAL_MS + 300); // the member's own presence push had its turn: the room is quiet
    BatchMetrics before = BatchMetrics.of(NODE.vertx(), memberNode);

    publish(publisher, room, "first");
    assertEquals(1, member.next(f -> isMessage(f, room), WAIT).getLong("seq"));
    publish(publisher, room, "close behind");
    assertEquals(2, member.next(f -> isMessage(f, room), WAIT).getLong("seq"));
    long secondAt = System.nanoTime();
    List<String> ids = new ArrayList<>();
    for (int i = 3; i <= 7; i++) {
      String id = "p" + i;
      ids.add(id);
      publisher.send(new JsonObject().put("type", "publish").put("id", id).put("room", room).put("body", i));
    }
    ids.forEach(id -> expectOk(publisher.next(f -> id.equals(f.getValue("id")), WAIT)));

    for (long seq = 3; seq <= 7; seq++) {
      assertEquals(seq, member.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      if (seq == 3) {
        long waitedMs = (System.nanoTime() - secondAt) / 1_000_000;
        assertTrue(waitedMs >= INTERVAL_MS - 400, "the third message waited only " + waitedMs + " ms");
      }
    }
    member.assertNoFrame(f -> isMessage(f, room), Duration.ZERO);
    BatchMetrics added = BatchMetrics.of(NODE.vertx(), memberNode).since(before);
    assertEquals(3, added.batches(), "batches: the first message, the second, then the five that waited");
    assertEquals(7, added.pushes(), "pushes in those batches");
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WEBSOCKET", "SOCKJS_WEBSOCKET", "SOCKJS_XHR_STREAMING"})
  @DisplayName("a member who joins while pushes wait gets every later message exactly once")
  void joinWhilePushesWait(Transport transport) {
    String room = "batch-b-" + transport.ordinal();
    try (TestClient early = authenticated(NODE.vertx(), NODE.node(), "batch-early", transport);
         TestClient late = authenticated(NODE.vertx(), NODE.node(), "batch-late", transport);
         TestClient publisher = publisherFor(NODE.node(), room)) {
      join(early, room);
      Http.sleep(INTERVAL_MS + 300);
      publish(publisher, room, 1);
      assertEquals(1, early.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      publish(publisher, room, 2);
      assertEquals(2, early.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      publish(publisher, room, 3); // these two wait for the room's next turn
      publish(publisher, room, 4);

      long start = join(late, room).getLong("seq");
      assertTrue(start >= 2 && start <= 4, "join seq " + start);
      publish(publisher, room, 5);

      assertEquals(List.of(3L, 4L, 5L), seqs(early, room, 3));
      assertEquals(LongStream.rangeClosed(start + 1, 5).boxed().toList(), seqs(late, room, (int) (5 - start)));
      late.assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(INTERVAL_MS + 300));
      early.assertNoFrame(f -> isMessage(f, room), Duration.ZERO);
    }
  }

  private static TestClient publisherFor(ParleyNode node, String room) {
    TestClient client = TestClient.connect(NODE.vertx(), TestClient.options(node.port()));
    expectOk(client.request(new JsonObject().put("type", "auth")
        .put("token", TestNodes.token(NODE.vertx(), "batch-publisher", List.of(room), List.of(room)))));
    return client;
  }

  private static List<Long> seqs(TestClient client, String room, int count) {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      seqs.add(client.next(f -> isMessage(f, room), WAIT).getLong("seq"));
    }
    return seqs;
  }
}
