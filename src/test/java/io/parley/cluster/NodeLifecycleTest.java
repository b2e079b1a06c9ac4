package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.testing.Http;
import io.parley.testing.PartitionStall;
import io.parley.testing.TestClient;
import io.parley.testing.Poll;
import io.parley.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A node draining or dying in a real two-node cluster: presence is cleaned up, clients are told. */
@ExtendWith(VertxExtension.class)
class NodeLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private Vertx vertx;
  private final List<ParleyNode> nodes = new ArrayList<>();

  @BeforeEach
  void startCluster() {
    vertx = Vertx.vertx();
    nodes.addAll(TestNodes.startCluster(2));
  }

  @AfterEach
  void stopCluster() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  @Test
  @DisplayName("drain: /ready 503 and new connections refused, sessions closed with 1001, presence cleaned up")
  void drain() {
    ParleyNode leaving = nodes.get(0);
    ParleyNode staying = nodes.get(1);
    String room = "drain-room";
    try (TestClient onLeaving = authenticated(vertx, leaving, "goer");
         TestClient onStaying = authenticated(vertx, staying, "stayer")) {
      joinAndSeeEachOther(onStaying, onLeaving, "goer", room);
      assertEquals(200, Http.get(vertx, leaving.port(), "/ready").status());

      Future<Void> drained = leaving.drainWithDelay(1000);
      assertEquals(503, Http.get(vertx, leaving.port(), "/ready").status());
      TestClient.HandshakeRejected refused = assertThrows(TestClient.HandshakeRejected.class,
          () -> TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, leaving.port()));
      assertEquals(503, refused.status());

      assertEquals(1001, onLeaving.awaitClose(WAIT));
      JsonObject left = onStaying.next(f -> isLeave(f, "goer"), WAIT);
      assertEquals(room, left.getString("room"));
      TestNodes.await(drained, WAIT);
      awaitMembers(staying, List.of(staying.nodeId()));
      nodes.remove(leaving);
    }
  }

  @Test
  @DisplayName("a node that dies without draining: survivors remove its users from presence and push leave")
  void crash() {
    ParleyNode dying = nodes.get(0);
    ParleyNode surviving = nodes.get(1);
    String room = "crash-room";
    try (TestClient onDying = authenticated(vertx, dying, "victim");
         TestClient onSurviving = authenticated(vertx, surviving, "witness")) {
      joinAndSeeEachOther(onSurviving, onDying, "victim", room);

      dying.hazelcast().getLifecycleService().terminate();

      long start = System.nanoTime();
      JsonObject left = onSurviving.next(f -> isLeave(f, "victim"), WAIT);
      System.out.printf("presence dropped the dead node's user after %d ms%n", (System.nanoTime() - start) / 1_000_000);
      assertEquals(room, left.getString("room"));
      JsonObject presence = expectOk(onSurviving.request(new JsonObject().put("type", "presence").put("room", room)));
      assertEquals(new JsonArray().add("witness"), presence.getJsonArray("users"));
    }
  }

  @Test
  @DisplayName("a publish in flight when the room's owner dies is stored once, with the next seq, not refused")
  void publishWhileTheRoomsOwnerDies() throws InterruptedException {
    String room = "failover-room";
    ParleyNode owner = ownerOf(room);
    ParleyNode survivor = nodes.get(0) == owner ? nodes.get(1) : nodes.get(0);
    try (TestClient writer = authenticated(vertx, survivor, "writer")) {
      join(writer, room);
      assertEquals(1L, publish(writer, room, "before").getLong("seq"));
      try (PartitionStall stall = PartitionStall.hold(owner.hazelcast(), RoomHistory.MAP_NAME, room)) {
        // without an id: a dedup claim could wait on the held partition thread too
        writer.send(new JsonObject().put("type", "publish").put("room", room).put("body", "during"));
        Thread.sleep(300); // the append has gone to the owner and waits there behind the stall
        owner.hazelcast().getLifecycleService().terminate();
      }
      JsonObject reply = writer.next(f -> "ok".equals(f.getString("type")) || "error".equals(f.getString("type")),
          WAIT);
      assertEquals("ok", reply.getString("type"), "the survivor stored it itself: " + reply.encode());
      assertEquals(2L, reply.getLong("seq"));
      JsonObject history = expectOk(writer.request(new JsonObject().put("type", "history").put("room", room)));
      assertEquals(List.of("before", "during"), history.getJsonArray("messages").stream()
          .map(m -> ((JsonObject) m).getString("body")).toList(), "each message once, in seq order");
    }
  }

  /** The node that owns the room's history entry. */
  private ParleyNode ownerOf(String room) {
    String owner = ClusterSetup.nodeIdOf(nodes.get(0).hazelcast().getPartitionService().getPartition(room).getOwner());
    return nodes.stream().filter(node -> node.nodeId().equals(owner)).findFirst().orElseThrow();
  }

  /** Both join the room; returns once the observer has seen the other user's presence join. */
  private static void joinAndSeeEachOther(TestClient observer, TestClient other, String otherUser, String room) {
    join(observer, room);
    join(other, room);
    observer.next(f -> "presence".equals(f.getString("type")) && otherUser.equals(f.getString("user")), WAIT);
  }

  private static void awaitMembers(ParleyNode node, List<String> expected) {
    Poll.until(() -> members(node).equals(expected), WAIT);
    assertEquals(expected, members(node), "cluster members");
  }

  private static List<String> members(ParleyNode node) {
    return node.hazelcast().getCluster().getMembers().stream().map(ClusterSetup::nodeIdOf).toList();
  }

  private static boolean isLeave(JsonObject frame, String user) {
    return "presence".equals(frame.getString("type")) && user.equals(frame.getString("user"))
        && "leave".equals(frame.getString("state"));
  }

}
