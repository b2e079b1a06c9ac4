package io.parley.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.parley.config.ParleyConfig;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSetupTest {

  @Test
  @DisplayName("presence, users and history are changed in place: OBJECT format, backed up, and no index (which copies per change)")
  void changedInPlace() {
    Config config = ClusterSetup.hazelcastConfig(ParleyConfig.from(TestNodes.config(5701, List.of(5701))).cluster());
    for (String map : List.of(Presence.MAP_NAME, UserDirectory.MAP_NAME, RoomHistory.MAP_NAME)) {
      MapConfig mapConfig = config.getMapConfig(map);
      assertEquals(InMemoryFormat.OBJECT, mapConfig.getInMemoryFormat(), map);
      assertTrue(mapConfig.getIndexConfigs().isEmpty(), map);
      assertEquals(1, mapConfig.getBackupCount(), map);
    }
  }

  @Test
  @DisplayName("three or more members listed: a majority protects history, presence, users and dedup (reads and writes)")
  void majorityOfListedMembers() {
    for (int members : new int[]{3, 4, 5}) {
      ParleyConfig.ClusterConfig cluster = cluster(members, json -> {
      });
      assertEquals(members / 2 + 1, cluster.quorum(), members + " members");
      Config config = ClusterSetup.hazelcastConfig(cluster);
      assertEquals(members / 2 + 1, config.getSplitBrainProtectionConfig(ClusterSetup.QUORUM).getMinimumClusterSize());
      assertEquals(SplitBrainProtectionOn.READ_WRITE,
          config.getSplitBrainProtectionConfig(ClusterSetup.QUORUM).getProtectOn());
      for (String map : List.of(RoomHistory.MAP_NAME, Presence.MAP_NAME, UserDirectory.MAP_NAME, RequestDedup.MAP_NAME)) {
        assertEquals(ClusterSetup.QUORUM, config.getMapConfig(map).getSplitBrainProtectionName(), map);
      }
      assertEquals(ClusterSetup.WRITE_QUORUM, config.getMapConfig(Revocations.MAP_NAME).getSplitBrainProtectionName());
    }
  }

  @Test
  @DisplayName("one or two members, or kubernetes-dns without a setting: no quorum; an explicit one wins")
  void quorumOffOrExplicit() {
    assertEquals(1, cluster(1, json -> {
    }).quorum());
    assertEquals(1, cluster(2, json -> {
    }).quorum());
    assertNull(ClusterSetup.hazelcastConfig(cluster(2, json -> {
    })).getMapConfig(RoomHistory.MAP_NAME).getSplitBrainProtectionName());
    assertEquals(1, cluster(3, json -> json.put("minimumMembers", 1)).quorum());
    assertEquals(3, cluster(3, json -> json.put("minimumMembers", 3)).quorum());
    assertEquals(1, cluster(1, json -> json.put("discovery", "kubernetes-dns").put("serviceDns", "parley.svc"))
        .quorum());
    assertEquals(2, cluster(1, json -> json.put("discovery", "kubernetes-dns").put("serviceDns", "parley.svc")
        .put("minimumMembers", 2)).quorum());
    assertThrows(IllegalArgumentException.class, () -> cluster(3, json -> json.put("minimumMembers", 4)));
    assertThrows(IllegalArgumentException.class, () -> cluster(3, json -> json.put("minimumMembers", -1)));
  }

  @Test
  @DisplayName("on a merge, a minority's presence and user routes are dropped (MergeRepair rebuilds them)")
  void mergePolicies() {
    Config config = ClusterSetup.hazelcastConfig(cluster(3, json -> {
    }));
    for (String map : List.of(Presence.MAP_NAME, UserDirectory.MAP_NAME)) {
      assertEquals(DiscardMergePolicy.class.getName(), config.getMapConfig(map).getMergePolicyConfig().getPolicy());
    }
  }

  @Test
  @DisplayName("every node carries its own parley node id as a member attribute")
  void nodeAttribute() {
    String first = ClusterSetup.hazelcastConfig(cluster(1, json -> {
    })).getMemberAttributeConfig().getAttribute(ClusterSetup.NODE_ATTRIBUTE);
    String second = ClusterSetup.hazelcastConfig(cluster(1, json -> {
    })).getMemberAttributeConfig().getAttribute(ClusterSetup.NODE_ATTRIBUTE);
    assertTrue(first != null && !first.equals(second));
  }

  private static ParleyConfig.ClusterConfig cluster(int members, java.util.function.Consumer<JsonObject> adjust) {
    List<Integer> ports = java.util.stream.IntStream.range(0, members).mapToObj(i -> 5701 + i).toList();
    JsonObject json = TestNodes.config(5701, ports);
    adjust.accept(json.getJsonObject("cluster"));
    return ParleyConfig.from(json).cluster();
  }
}
