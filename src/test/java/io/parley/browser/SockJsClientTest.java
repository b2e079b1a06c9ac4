package io.parley.browser;

import io.parley.auth.TokenMinter;
import io.parley.testing.Http;
import io.parley.testing.Poll;
import io.parley.testing.SingleNode;
import io.parley.testing.TestNodes;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real sockjs-client (npm, pinned in {@code src/test/js/package.json}) in Node against a real node, on each SockJS
 * transport a Node process can use: {@code sockjs-transports.mjs}.
 */
class SockJsClientTest {

  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);

  private static final long HEARTBEAT_MS = 300;
  private static final long HEARTBEAT_TIMEOUT_MS = 2500;
  /** How often the script pings, as parley.js does every pingIntervalMs (25 s by default). */
  private static final long PING_MS = 500;
  private static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension
  static final SingleNode NODE = new SingleNode(config -> config.getJsonObject("heartbeat")
      .put("intervalMs", HEARTBEAT_MS).put("timeoutMs", HEARTBEAT_TIMEOUT_MS));

  @BeforeAll
  static void node() {
    NodeScript.prepare();
  }

  private static String url() {
    return "http://127.0.0.1:" + NODE.port();
  }

  /**
   * The "socket hang up": Node's global agent keeps connections alive, and a later request reused a
   * connection the node had closed after a polling response without announcing it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"xhr-polling", "xhr-streaming", "eventsource", "websocket"})
  @DisplayName("sessions one after the other from one Node process, reusing kept-alive connections, all go through")
  void sessionsReuseConnections(String transport) {
    NodeScript.Result result = NodeScript.run(NodeScript.node("sockjs-transports.mjs", "sessions", url(), transport,
        TestNodes.token(NODE.vertx(), "node-" + transport), "8"), SCRIPT_TIMEOUT, line -> { });
    assertEquals("8", result.result("sessions_ok").orElse(null), result.output());
    assertEquals(0, result.exitCode(), result.output());
  }

  /**
   * A vanished browser: the Node process is stopped (SIGSTOP), so it reads nothing, answers no WebSocket ping and
   * sends no ping of its own, while its kernel keeps the TCP connections open. Until then its pings keep it in.
   */
  @ParameterizedTest
  @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling", "eventsource"})
  @DisplayName("a Node client stopped with SIGSTOP leaves presence after heartbeat.timeoutMs, on every transport")
  void stoppedProcessLeaves(String transport) throws Exception {
    String user = "frozen-" + transport;
    String room = "frozen-" + transport;
    List<String> command = NodeScript.node("sockjs-transports.mjs", "hold", url(), transport,
        TestNodes.token(NODE.vertx(), user), room, Long.toString(PING_MS));
    Process process = new ProcessBuilder(command).directory(NodeScript.DIR.toFile()).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(line -> {
          System.out.println("[" + transport + "] " + line);
          lines.add(line);
        });
      } catch (IOException e) {
        lines.add("(output lost: " + e + ")");
      }
    }, "sockjs-hold-output");
    reader.start();
    try {
      assertTrue(Poll.until(() -> lines.contains("READY"), WAIT), () -> "script ready: " + lines);
      Http.sleep(2 * HEARTBEAT_TIMEOUT_MS);
      assertEquals(Set.of(user), presence(room), () -> "a live client stays: " + lines);
      signal("STOP", process.pid());
      long stopped = System.nanoTime();
      assertTrue(Poll.until(() -> presence(room).isEmpty(), WAIT.plusMillis(HEARTBEAT_TIMEOUT_MS)),
          "the stopped client left presence");
      long tookMs = (System.nanoTime() - stopped) / 1_000_000;
      assertTrue(tookMs >= HEARTBEAT_TIMEOUT_MS - PING_MS - HEARTBEAT_MS, "not before the timeout: " + tookMs);
      System.out.printf("%s: a stopped Node client left presence after %d ms%n", transport, tookMs);
    } finally {
      signal("CONT", process.pid());
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      reader.join(5000);
    }
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid);
  }

  private static Set<String> presence(String room) {
    String admin = new TokenMinter(NODE.vertx(), TestNodes.SECRET).mint("admin", true, 3600, null, null);
    HttpClient http = NODE.vertx().createHttpClient();
    try {
      JsonObject reply = TestNodes.await(http.request(new RequestOptions().setHost("127.0.0.1").setPort(NODE.port())
              .setURI("/api/rooms/" + room + "/presence").putHeader("Authorization", "Bearer " + admin))
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> body.toJsonObject())), WAIT);
      return Set.copyOf(reply.getJsonArray("users").getList().stream().map(String::valueOf).toList());
    } finally {
      http.close();
    }
  }
}
