package io.parley.browser;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A real in-JVM cluster configured like the local demo ({@code conf/local.json}): the dev-token endpoint on and any
 * origin allowed, so that a page served by one node can sign in and connect to another.
 */
final class DemoCluster {

  private DemoCluster() {
  }

  /** The test configuration of {@link TestNodes#config} with the demo's settings. */
  static JsonObject config(int clusterPort, List<Integer> memberPorts) {
    JsonObject config = TestNodes.config(clusterPort, memberPorts);
    config.getJsonObject("auth").put("devTokenEndpoint", true);
    config.getJsonObject("http").put("allowedOrigins", new JsonArray().add("*"));
    return config;
  }

  /** Starts {@code count} demo nodes as one cluster (the first alone, so it becomes the master); waits until safe. */
  static List<ParleyNode> start(int count) {
    List<Integer> ports = IntStream.range(0, count).mapToObj(i -> TestNodes.freePort()).toList();
    List<ParleyNode> nodes = new ArrayList<>();
    nodes.add(TestNodes.await(ParleyNode.start(ParleyConfig.from(config(ports.get(0), ports))),
        TestNodes.START_TIMEOUT));
    List<Future<ParleyNode>> rest = ports.subList(1, count).stream()
        .map(port -> ParleyNode.start(ParleyConfig.from(config(port, ports))))
        .toList();
    rest.forEach(started -> nodes.add(TestNodes.await(started, TestNodes.START_TIMEOUT)));
    TestNodes.awaitClusterSafe(nodes);
    return nodes;
  }
}
