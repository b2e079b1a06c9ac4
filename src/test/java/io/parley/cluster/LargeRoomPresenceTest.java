package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.ParleyNode;
import io.parley.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence in a room of thousands on a real two-node cluster: stored as objects and changed in place, it must
 * give the same answers as a small room, on the partition owner and on its backup.
 */
class LargeRoomPresenceTest {

  private static final int USERS = 2000;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final List<ParleyNode> nodes = new ArrayList<>();

  @BeforeEach
  void startCluster() {
    // one test crashes a node: the survivor should notice soon
    nodes.addAll(TestNodes.startCluster(2, config -> config.getJsonObject("cluster").put("failureDetectionMs", 2000)));
  }

  @AfterEach
  void stopCluster() {
    nodes.forEach(TestNodes::stop);
  }

  @Test
  @DisplayName("each user joins through both nodes at once: exactly one first join and one last leave per user")
  void firstAndLastOncePerUser() {
    String room = "big-hall";
    List<CompletionStage<PresenceProcessors.Change>> joins = new ArrayList<>();
    for (String user : users()) {
      joins.add(presenceMap(0).submitToKey(room, new PresenceProcessors.Join(user, "a/" + user)));
      joins.add(presenceMap(1).submitToKey(room, new PresenceProcessors.Join(user, "b/" + user)));
    }
    assertEquals(USERS, countTrue(joins), "first joins");
    assertEquals(users(), usersIn(room, 0));
    assertEquals(users(), usersIn(room, 1));

    List<CompletionStage<PresenceProcessors.Change>> leaves = new ArrayList<>();
    for (String user : users()) {
      leaves.add(presenceMap(1).submitToKey(room, new PresenceProcessors.Leave(user, "a/" + user)));
      leaves.add(presenceMap(0).submitToKey(room, new PresenceProcessors.Leave(user, "b/" + user)));
      leaves.add(presenceMap(0).submitToKey(room, new PresenceProcessors.Leave(user, "gone/" + user)));
    }
    assertEquals(USERS, countTrue(leaves), "last leaves");
    assertEquals(List.of(), usersIn(room, 0));
    assertTrue(presenceMap(1).get(room) == null, "an empty room is removed");
  }

  @Test
  @DisplayName("the room's owner dies: its backup has every user; removing a node reports who left with it, once")
  void backupAndRemoveNode() {
    String room = "big-hall-owned-by-first";
    HazelcastInstance owner = nodes.get(0).hazelcast();
    while (!owner.getPartitionService().getPartition(room).getOwner().localMember()) {
      room += "+";
    }
    List<CompletionStage<PresenceProcessors.Change>> joins = new ArrayList<>();
    List<String> onlyOnA = new ArrayList<>();
    List<String> onBoth = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String user = users().get(i);
      joins.add(presenceMap(i % 2).submitToKey(room, new PresenceProcessors.Join(user, "a/" + i)));
      if (i % 2 == 0) {
        onlyOnA.add(user);
      } else {
        onBoth.add(user);
        joins.add(presenceMap(0).submitToKey(room, new PresenceProcessors.Join(user, "b/" + i)));
      }
    }
    assertEquals(USERS, countTrue(joins), "first joins");

    owner.getLifecycleService().terminate();
    TestNodes.awaitClusterSafe(nodes.subList(1, 2));
    assertEquals(users(), usersIn(room, 1), "the backup, now the owner, has every user");

    assertEquals(onlyOnA, removeNode("a", room));
    assertEquals(onBoth, usersIn(room, 1));
    assertEquals(List.of(), removeNode("a", room), "nothing left to remove the second time");
  }

  /** Users whose last session was on {@code node}, sorted; runs on the surviving second node. */
  private List<String> removeNode(String node, String room) {
    Map<String, List<String>> gone = presenceMap(1).executeOnEntries(new PresenceProcessors.RemoveNode(node));
    List<String> users = new ArrayList<>(gone.getOrDefault(room, List.of()));
    users.sort(null);
    return users;
  }

  private IMap<String, RoomPresence> presenceMap(int node) {
    return nodes.get(node).hazelcast().getMap(Presence.MAP_NAME);
  }

  private List<String> usersIn(String room, int node) {
    ParleyNode on = nodes.get(node);
    Presence presence = new Presence(on.hazelcast(), new RoomBus(on.vertx().eventBus(), any -> true), on.vertx(), on.nodeId());
    return TestNodes.await(presence.users(room), WAIT);
  }

  private static List<String> users() {
    return IntStream.range(0, USERS).mapToObj(i -> String.format("user-%05d", i)).toList();
  }

  private static long countTrue(List<CompletionStage<PresenceProcessors.Change>> results) {
    return results.stream().filter(result -> await(result).changed()).count();
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("did not complete: " + e, e);
    }
  }
}
