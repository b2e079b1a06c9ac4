package io.parley.process;

import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Parley nodes as processes on loopback, with ports fixed at creation so that the same cluster can be killed and
 * started again on the same configuration (and the same store). The first starts alone, so it is the master.
 */
final class ProcessCluster implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Path dir;
  private final List<JsonObject> configs;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private int generation;

  ProcessCluster(String prefix, int size, long failureDetectionMs, Consumer<JsonObject> adjust) {
    this.name = prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    this.dir = Path.of("target", "process-logs", name);
    List<Integer> clusterPorts = IntStream.range(0, size).mapToObj(i -> TestNodes.freePort()).toList();
    JsonArray members = new JsonArray();
    clusterPorts.forEach(port -> members.add("127.0.0.1:" + port));
    this.configs = IntStream.range(0, size).mapToObj(i -> {
      JsonObject config = new JsonObject()
          .put("node", new JsonObject().put("gateways", 2))
          .put("http", new JsonObject().put("host", "127.0.0.1").put("port", TestNodes.freePort()))
          .put("auth", new JsonObject().put("jwt", new JsonObject().put("secret", TestNodes.SECRET)))
          .put("limits", new JsonObject().put("publishPerSecond", 100_000).put("publishBurst", 100_000)
              .put("readsPerSecond", 100_000).put("readBurst", 100_000)
              .put("connectionsPerIpPerSecond", 0))
          .put("cluster", new JsonObject().put("name", name).put("host", "127.0.0.1")
              .put("port", clusterPorts.get(i)).put("members", members.copy())
              .put("failureDetectionMs", failureDetectionMs));
      adjust.accept(config);
      return config;
    }).toList();
  }

  Path dir() {
    return dir;
  }

  List<Integer> httpPorts() {
    return configs.stream().map(c -> c.getJsonObject("http").getInteger("port")).toList();
  }

  NodeProcess node(int i) {
    return nodes.get(i);
  }

  /** Starts every node (again, after {@link #killAll}) and waits until all are ready and partitions settled. */
  ProcessCluster start() {
    nodes.clear();
    generation++;
    NodeProcess master = NodeProcess.start(nodeName(0), configs.get(0), dir);
    nodes.add(master);
    master.awaitReady(START_TIMEOUT);
    for (int i = 1; i < configs.size(); i++) {
      nodes.add(NodeProcess.start(nodeName(i), configs.get(i), dir));
    }
    nodes.forEach(node -> node.awaitReady(START_TIMEOUT));
    if (configs.size() > 1) {
      master.awaitPartitionsSettled(configs.size(), START_TIMEOUT);
    }
    System.out.println("cluster " + name + ": " + nodes + ", logs in " + dir.toAbsolutePath());
    return this;
  }

  private String nodeName(int i) {
    return "node-" + (i + 1) + (generation > 1 ? "-run" + generation : "");
  }

  /** {@code kill -9} of every node at once. */
  void killAll() {
    nodes.parallelStream().forEach(NodeProcess::kill9);
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
  }
}
