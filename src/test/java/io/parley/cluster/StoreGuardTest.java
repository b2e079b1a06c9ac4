package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node refuses a cluster whose members would not share its streams, and says why. */
class StoreGuardTest {

  private static final Duration START = Duration.ofSeconds(60);

  @Test
  @DisplayName("a node with an embedded store that sees another member refuses to start")
  void embeddedRefusesCompany(@TempDir Path first, @TempDir Path second) {
    assertRefused(embedded(first), embedded(second), "store.kind=embedded keeps streams on this node's disk only");
  }

  @Test
  @DisplayName("a node whose store differs from the cluster's (memory beside embedded) refuses to start")
  void storesMustMatch(@TempDir Path folder) {
    assertRefused(embedded(folder), store -> {
    }, "every node of a cluster must use the same store");
  }

  private static java.util.function.Consumer<JsonObject> embedded(Path folder) {
    return config -> config.getJsonObject("store").put("kind", "embedded")
        .put("path", folder.toAbsolutePath().toString());
  }

  /** The first node runs alone with {@code firstStore}; the second, with {@code secondStore}, must be refused. */
  private static void assertRefused(java.util.function.Consumer<JsonObject> firstStore,
                                    java.util.function.Consumer<JsonObject> secondStore, String reason) {
    int firstPort = TestNodes.freePort();
    int secondPort = TestNodes.freePort();
    List<Integer> members = List.of(firstPort, secondPort);
    JsonObject firstConfig = TestNodes.config(firstPort, members);
    firstStore.accept(firstConfig);
    ParleyNode running = TestNodes.await(ParleyNode.start(ParleyConfig.from(firstConfig)), START);
    try {
      JsonObject secondConfig = TestNodes.config(secondPort, members);
      secondStore.accept(secondConfig);
      RuntimeException refused = assertThrows(RuntimeException.class,
          () -> TestNodes.await(ParleyNode.start(ParleyConfig.from(secondConfig)), START));
      assertTrue(String.valueOf(refused.getMessage()).contains(reason), refused::toString);
    } finally {
      TestNodes.stop(running);
    }
  }
}
