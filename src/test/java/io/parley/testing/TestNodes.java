package io.parley.testing;

import io.parley.ParleyNode;
import io.parley.auth.TokenMinter;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Starts real parley nodes in this JVM, each its own clustered Vert.x with its own Hazelcast member. */
public final class TestNodes {

  /** Only for tests: real deployments take the secret from the environment. */
  public static final String SECRET = "parley-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private TestNodes() {
  }

  /** A node's configuration: HTTP on a random port of 127.0.0.1, Hazelcast on {@code clusterPort}. */
  public static JsonObject config(int clusterPort, List<Integer> memberPorts) {
    JsonObject config = ConfigLoader.defaults();
    config.getJsonObject("http").put("host", "127.0.0.1").put("port", 0);
    config.getJsonObject("auth").getJsonObject("jwt").put("secret", SECRET);
    JsonArray members = new JsonArray();
    memberPorts.forEach(port -> members.add("127.0.0.1:" + port));
    config.getJsonObject("cluster").put("host", "127.0.0.1").put("port", clusterPort).put("members", members)
        .put("name", "parley-test-" + memberPorts.get(0));
    config.getJsonObject("node").put("gateways", 2);
    // tests open connections and publish in bursts; the limits have their own tests, on nodes that set them
    config.getJsonObject("limits").put("publishPerSecond", 100_000).put("publishBurst", 100_000)
        .put("readsPerSecond", 100_000).put("readBurst", 100_000)
        .put("connectionsPerIpPerSecond", 0).put("connectionsPerIp", 0)
        // one test user may open many sessions and rooms; the memory limits have their own tests
        .put("streamsPerUser", 0).put("connectionsPerUser", 0);
    return config;
  }

  /** A single node (a cluster of one), with a chance to adjust its configuration. */
  public static ParleyNode startSingle(Consumer<JsonObject> adjust) {
    int port = freePort();
    JsonObject config = config(port, List.of(port));
    adjust.accept(config);
    return await(ParleyNode.start(ParleyConfig.from(config)), START_TIMEOUT);
  }

  /** Starts {@code count} nodes that form one cluster; the first is started alone so it becomes the master. */
  public static List<ParleyNode> startCluster(int count) {
    return startCluster(count, config -> {
    });
  }

  /** As {@link #startCluster(int)}, with a chance to adjust every node's configuration. */
  public static List<ParleyNode> startCluster(int count, Consumer<JsonObject> adjust) {
    List<Integer> ports = java.util.stream.IntStream.range(0, count).mapToObj(i -> freePort()).toList();
    java.util.function.Function<Integer, ParleyConfig> configFor = port -> {
      JsonObject config = config(port, ports);
      adjust.accept(config);
      return ParleyConfig.from(config);
    };
    ParleyNode first = await(ParleyNode.start(configFor.apply(ports.get(0))), START_TIMEOUT);
    List<Future<ParleyNode>> rest = ports.subList(1, count).stream()
        .map(port -> ParleyNode.start(configFor.apply(port)))
        .toList();
    java.util.ArrayList<ParleyNode> nodes = new java.util.ArrayList<>();
    nodes.add(first);
    rest.forEach(f -> nodes.add(await(f, START_TIMEOUT)));
    awaitClusterSafe(nodes);
    return nodes;
  }

  /**
   * Waits until every node sees all members and every partition has its backup: before that, a member that
   * dies may take the only copy of some data with it, which no test of crash recovery should depend on.
   */
  public static void awaitClusterSafe(List<ParleyNode> nodes) {
    boolean safe = Poll.until(() -> nodes.stream().allMatch(node -> node.hazelcast().getCluster().getMembers().size()
        == nodes.size() && node.hazelcast().getPartitionService().isClusterSafe()), START_TIMEOUT);
    if (!safe && !Thread.currentThread().isInterrupted()) {
      throw new IllegalStateException("cluster not safe within " + START_TIMEOUT);
    }
  }

  public static void stop(ParleyNode node) {
    if (node != null) {
      try {
        await(node.close(), Duration.ofSeconds(30));
      } catch (RuntimeException e) {
        // already stopped
      }
    }
  }

  public static String token(Vertx vertx, String user) {
    return new TokenMinter(vertx, SECRET).mint(user, false, 3600, null, null);
  }

  public static String token(Vertx vertx, String user, List<String> rooms, List<String> publish) {
    return new TokenMinter(vertx, SECRET).mint(user, false, 3600, rooms, publish);
  }

  /**
   * A port free right now, chosen below Linux's ephemeral range (32768+): a port from that range may be taken by
   * some outgoing connection between our check and the node's bind, which made process tests flaky under load.
   */
  public static int freePort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int candidate = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(candidate, 1, java.net.InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        return candidate;
      } catch (IOException busy) {
        // try another
      }
    }
    throw new IllegalStateException("no free port found in 20000-32000");
  }


  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("did not complete: " + e, e);
    }
  }
}
