package io.parley.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import io.parley.config.ParleyConfig;
import io.parley.testing.TestNodes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
