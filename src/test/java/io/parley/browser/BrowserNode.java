package io.parley.browser;

import io.parley.process.NodeProcess;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One real parley node in a process of its own ({@link NodeProcess}) with the demo's settings (the dev-token
 * endpoint, any origin), HTTP and Hazelcast on ports fixed at creation, and a store: {@code memory}, or
 * {@code embedded} in a folder of its own. {@link #crashAndRestart()} is {@code kill -9} and a start on the same
 * ports and folder, so a page goes on at the same URL. Logs: {@code <dir>/<name>*.log}.
 */
final class BrowserNode implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final String name;
  private final Path dir;
  private final JsonObject config;
  private NodeProcess process;
  private int runs;

  private BrowserNode(String name, Path dir, JsonObject config) {
    this.name = name;
    this.dir = dir;
    this.config = config;
  }

  /** A node without a store: its streams live in its memory only, and die with it. Logs go to {@code logs}. */
  static BrowserNode memory(String name, Path logs) {
    return start(name, new JsonObject().put("kind", "memory"), logs);
  }

  /** A node with the embedded store in {@code data} (a folder of its own): its streams survive a crash. */
  static BrowserNode embedded(String name, Path data, Path logs) {
    try {
      Files.createDirectories(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return start(name, new JsonObject().put("kind", "embedded").put("path", data.toAbsolutePath().toString()), logs);
  }

  private static BrowserNode start(String name, JsonObject store, Path dir) {
    int httpPort = TestNodes.freePort();
    int clusterPort = TestNodes.freePort();
    while (clusterPort == httpPort) {
      clusterPort = TestNodes.freePort();
    }
    JsonObject config = new JsonObject()
        .put("node", new JsonObject().put("gateways", 1))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", httpPort)
            .put("allowedOrigins", new JsonArray().add("*")))
        .put("auth", new JsonObject().put("devTokenEndpoint", true)
            .put("jwt", new JsonObject().put("secret", TestNodes.SECRET)))
        .put("limits", new JsonObject().put("publishPerSecond", 100_000).put("publishBurst", 100_000)
            .put("connectionsPerIpPerSecond", 0))
        .put("cluster", new JsonObject().put("name", "browser-" + name + "-" + clusterPort).put("host", "127.0.0.1")
            .put("port", clusterPort).put("members", new JsonArray().add("127.0.0.1:" + clusterPort)))
        .put("store", store);
    BrowserNode node = new BrowserNode(name, dir, config);
    node.run();
    return node;
  }

  private void run() {
    runs++;
    long start = System.nanoTime();
    process = NodeProcess.start(name + (runs > 1 ? "-run" + runs : ""), config, dir);
    process.awaitReady(START_TIMEOUT);
    System.out.printf("browser node %s (%s store) ready at %s in %d ms (pid %d)%n", name,
        config.getJsonObject("store").getString("kind"), url(), (System.nanoTime() - start) / 1_000_000,
        process.pid());
  }

  /** {@code kill -9}, then the same node again: same ports, same configuration, same store folder. */
  void crashAndRestart() {
    long pid = process.pid();
    process.kill9();
    System.out.printf("browser node %s: pid %d killed (SIGKILL)%n", name, pid);
    run();
  }

  String url() {
    return "http://127.0.0.1:" + config.getJsonObject("http").getInteger("port");
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
