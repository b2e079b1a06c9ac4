package io.parley;

import io.parley.testing.Http;
import io.parley.testing.ParleyProcess;
import io.parley.testing.TestClient;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real node process and a real SIGTERM: parley's shutdown hook drains (503 on /ready, 1001 to every session,
 * a disconnect frame first on SockJS), leaves the cluster and lets the JVM exit within the grace period. Also the
 * refusals at start-up: no secret, an invalid PARLEY_* variable.
 */
@ExtendWith(VertxExtension.class)
class ProcessDrainTest {

  private static final long DRAIN_DELAY_MS = 500;
  private static final long GRACE_PERIOD_MS = 5000;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir
  Path dir;
  private Vertx vertx;
  private ParleyProcess node;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void killNode() {
    if (node != null) {
      node.close(); // destroyForcibly if the test left it running
    }
  }

  @Test
  @DisplayName("SIGTERM: /ready 503 during the drain delay, sessions closed (WebSocket with 1001), clean exit in time")
  void sigtermDrains() throws IOException {
    int httpPort = startNode();
    assertEquals(200, status(httpPort, "/ready"));

    try (TestClient ws = authenticated(httpPort, Transport.WEBSOCKET, "wendy");
         TestClient sockJs = authenticated(httpPort, Transport.SOCKJS_WEBSOCKET, "sam")) {
      join(ws, "drain-room");
      join(sockJs, "drain-room");

      long signalled = System.nanoTime();
      node.terminate();
      awaitReady503(httpPort);
      assertFalse(ws.isClosed(), "sessions must stay open during the drain delay");
      assertFalse(sockJs.isClosed(), "sessions must stay open during the drain delay");
      assertEquals(200, status(httpPort, "/health"), "liveness stays 200 while draining");

      assertEquals(1001, ws.awaitClose(WAIT));
      sockJs.awaitClose(WAIT); // vertx-web's SockJS always closes with c[3000,"Go away!"]
      long closedMs = elapsedMs(signalled);
      assertTrue(closedMs >= DRAIN_DELAY_MS, () -> "sessions closed after " + closedMs + " ms, before the drain delay");

      int exit = node.awaitExit(Duration.ofMillis(GRACE_PERIOD_MS + 2000));
      long exitedMs = elapsedMs(signalled);
      // Observed: 143 (128 + SIGTERM), the JVM's status after shutdown hooks that return normally.
      assertTrue(exit == 0 || exit == 143, () -> "exit code " + exit + "\n" + node.output());
      assertTrue(exitedMs < GRACE_PERIOD_MS, () -> "exited after " + exitedMs + " ms");
      String output = node.output();
      assertTrue(output.contains("event=node_draining"), output);
      assertTrue(output.contains("event=node_stopped"), output);
      assertFalse(output.contains("event=drain_timeout"), output);
      assertFalse(output.contains("event=drain_incomplete"), output);
      System.out.printf("ProcessDrainTest: exit code %d, sessions closed after %d ms, exited after %d ms%n",
          exit, closedMs, exitedMs);
    }
  }

  @Test
  @DisplayName("SIGTERM: a SockJS client is told 1001 by a disconnect frame before the close")
  void sigtermTellsSockJs() throws IOException {
    int httpPort = startNode();
    try (TestClient sockJs = authenticated(httpPort, Transport.SOCKJS_WEBSOCKET, "sam")) {
      join(sockJs, "drain-room");
      node.terminate();
      JsonObject disconnect = sockJs.next(frame -> "disconnect".equals(frame.getString("type")), WAIT);
      assertEquals(1001, disconnect.getInteger("code"), disconnect::encode);
      sockJs.awaitClose(WAIT);
    }
    node.awaitExit(Duration.ofMillis(GRACE_PERIOD_MS + 2000));
  }

  @Test
  @DisplayName("no JWT secret anywhere: the process exits non-zero at once and says how to set PARLEY_AUTH_JWT_SECRET")
  void noSecret() throws IOException {
    long started = System.nanoTime();
    node = ParleyProcess.start(List.of("--conf", conf(TestNodes.freePort(), false).toString()), Map.of());
    int exit = node.awaitExit(Duration.ofSeconds(20));
    String output = node.output();
    assertNotEquals(0, exit, output);
    assertTrue(output.contains("set PARLEY_AUTH_JWT_SECRET"), output);
    assertFalse(output.contains("event=node_ready"), output);
    System.out.printf("ProcessDrainTest: without a secret, exit code %d after %d ms%n", exit, elapsedMs(started));
  }

  @Test
  @DisplayName("an invalid PARLEY_* variable: exit code 2, naming the variable, before anything starts")
  void invalidEnvironment() throws IOException {
    node = ParleyProcess.start(List.of("--conf", conf(TestNodes.freePort(), false).toString()),
        Map.of("PARLEY_AUTH_JWT_SECRET", TestNodes.SECRET, "PARLEY_HTTP_PORT", "eighty"));
    assertEquals(2, node.awaitExit(Duration.ofSeconds(20)), node::output);
    assertTrue(node.output().contains("PARLEY_HTTP_PORT"), node::output);
    assertFalse(node.output().contains(TestNodes.SECRET), node::output);
  }

  /** Starts a node process with the drain settings and the test secret; returns its HTTP port once ready. */
  private int startNode() throws IOException {
    int httpPort = TestNodes.freePort();
    node = ParleyProcess.start(List.of("--conf", conf(httpPort, true).toString()),
        Map.of("PARLEY_AUTH_JWT_SECRET", TestNodes.SECRET));
    node.awaitStdout("event=node_ready", START_TIMEOUT);
    return httpPort;
  }

  /** A node on 127.0.0.1: the given HTTP port, a free cluster port, a cluster of one with a name of its own. */
  private Path conf(int httpPort, boolean drainSettings) throws IOException {
    int clusterPort = TestNodes.freePort();
    JsonObject conf = new JsonObject()
        .put("node", new JsonObject().put("gateways", 2))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", httpPort))
        .put("cluster", new JsonObject().put("host", "127.0.0.1").put("port", clusterPort)
            .put("members", new JsonArray().add("127.0.0.1:" + clusterPort))
            .put("name", "parley-process-test-" + clusterPort));
    if (drainSettings) {
      conf.put("shutdown", new JsonObject().put("drainDelayMs", DRAIN_DELAY_MS).put("gracePeriodMs", GRACE_PERIOD_MS));
    }
    Path file = dir.resolve("parley-" + httpPort + ".json");
    Files.writeString(file, conf.encodePrettily());
    return file;
  }

  private TestClient authenticated(int port, Transport transport, String user) {
    TestClient client = TestClient.connect(vertx, TestClient.options(port).transport(transport));
    JsonObject ok = expectOk(client.request(new JsonObject().put("type", "auth").put("token",
        TestNodes.token(vertx, user))));
    assertEquals(user, ok.getString("user"));
    return client;
  }

  /** Polls /ready every 10 ms until it answers 503; the JVM needs a moment to run its shutdown hooks. */
  private void awaitReady503(int port) {
    long deadline = System.nanoTime() + Duration.ofMillis(DRAIN_DELAY_MS).toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = status(port, "/ready");
      if (last == 503) {
        return;
      }
      Http.sleep(10);
    }
    throw new AssertionError("/ready still answered " + last + " " + DRAIN_DELAY_MS + " ms after SIGTERM");
  }

  private int status(int port, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(2)).GET().build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static long elapsedMs(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
  }

}
