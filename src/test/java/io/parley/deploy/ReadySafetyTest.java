package io.parley.deploy;

import io.parley.ParleyNode;
import io.parley.cluster.RoomHistory;
import io.parley.testing.Http;
import io.parley.testing.PartitionStall;
import io.parley.testing.Poll;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /ready and /ready/safe against a real three-node cluster over real HTTP, made unsafe for real: one member dies
 * while another's partition thread is held, so Hazelcast cannot copy the backups that died with it until released.
 */
class ReadySafetyTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static Vertx vertx;
  private static List<ParleyNode> nodes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    nodes = TestNodes.startCluster(3);
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  private static Http.Reply get(ParleyNode node, String path) {
    return Http.get(vertx, node.port(), path);
  }

  @Test
  @DisplayName("a member dies, backups cannot be copied: /ready/safe 503 on the survivors, /ready 503 only on one "
      + "not yet seen safe; once copied, 200 everywhere")
  void unsafeWhileBackupsAreMissing() throws Exception {
    ParleyNode ready = nodes.get(0);
    ParleyNode fresh = nodes.get(1);
    ParleyNode dying = nodes.get(2);
    assertEquals(200, get(ready, "/ready").status(), "a safe cluster of three");
    JsonObject safe = new JsonObject(get(ready, "/ready/safe").body());
    assertEquals("safe", safe.getString("status"));
    assertEquals(3, safe.getInteger("members"));
    // fresh's /ready is asked only once the cluster is unsafe: like a pod that has just joined

    String key = ownedBy(ready);
    try (PartitionStall stall = PartitionStall.hold(ready.hazelcast(), RoomHistory.MAP_NAME, key)) {
      dying.hazelcast().getLifecycleService().terminate();
      assertTrue(Poll.until(() -> get(ready, "/ready/safe").status() == 503, WAIT), "survivor stayed safe");
      Http.Reply unsafe = get(fresh, "/ready/safe");
      assertEquals(503, unsafe.status(), unsafe.body());
      assertEquals("unsafe", new JsonObject(unsafe.body()).getString("status"));
      assertTrue(new JsonObject(unsafe.body()).getString("reason").contains("no backup"), unsafe.body());

      assertEquals(200, get(ready, "/ready").status(), "a node seen safe before stays ready for its clients");
      Http.Reply notReady = get(fresh, "/ready");
      assertEquals(503, notReady.status(), notReady.body());
      assertEquals("unsafe", new JsonObject(notReady.body()).getString("status"));
      Http.sleep(2500);
      assertEquals(503, get(fresh, "/ready").status(), "still unsafe while the backups cannot be copied");
    }
    assertTrue(Poll.until(() -> get(fresh, "/ready").status() == 200, WAIT), "fresh never became ready");
    assertTrue(Poll.until(() -> get(ready, "/ready/safe").status() == 200
        && get(fresh, "/ready/safe").status() == 200, WAIT), "the survivors never became safe again");
    assertEquals(2, new JsonObject(get(fresh, "/ready/safe").body()).getInteger("members"));
  }

  /** A key of the history map whose partition {@code node} owns. */
  private static String ownedBy(ParleyNode node) {
    for (int i = 0; ; i++) {
      String key = "safety-" + i;
      if (node.hazelcast().getPartitionService().getPartition(key).getOwner().localMember()) {
        return key;
      }
    }
  }
}
