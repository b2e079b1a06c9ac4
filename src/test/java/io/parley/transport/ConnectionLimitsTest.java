package io.parley.transport;

import io.parley.ParleyNode;
import io.parley.testing.Http;
import io.parley.testing.RawHttp;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.TestClient;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import static io.parley.testing.Sessions.authenticated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code limits.connectionsPerIp}, {@code limits.maxConnections} and {@code limits.maxHeapFraction} over real
 * connections: the refused get 429 or 4029 (per address) and 1013 (the node's limits, as the SockJS
 * {@code disconnect} frame too), at once, and the refusals are counted by reason.
 */
@ExtendWith(VertxExtension.class)
class ConnectionLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private Vertx vertx;
  private ParleyNode node;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    TestNodes.stop(node);
    vertx.close();
  }

  private void start(Consumer<JsonObject> limits) {
    node = TestNodes.startSingle(config -> limits.accept(config.getJsonObject("limits")));
  }

  private TestClient client(String user, Transport transport) {
    TestClient client = authenticated(vertx, node, user, transport);
    open.add(client);
    return client;
  }

  private double metric(String series) {
    String text = Http.get(vertx, node.port(), "/metrics").body();
    for (String line : text.split("\n")) {
      if (line.startsWith(series)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no series " + series);
  }

  @Test
  @DisplayName("past limits.connectionsPerIp: 4029 after the upgrade, 429 to HTTP, closed at once; others unaffected")
  void perAddress() {
    start(limits -> limits.put("connectionsPerIp", 3));
    for (int i = 0; i < 3; i++) {
      client("held-" + i, Transport.WEBSOCKET);
    }
    // a fourth WebSocket from 127.0.0.1: upgraded, then closed with 4029 at once
    try (SilentWebSocket fourth = SilentWebSocket.connect(vertx, node.port(), "/ws")) {
      assertTrue(fourth.awaitReceived("HTTP/1.1 101", WAIT));
      assertTrue(io.parley.testing.Poll.until(fourth::isClosedByServer, Duration.ofSeconds(3)), "closed within 1 s");
      assertEquals(4029, fourth.closeCode());
    }
    TestClient refused = TestClient.connect(vertx, Transport.WEBSOCKET, node.port());
    open.add(refused);
    assertEquals(4029, refused.awaitClose(WAIT));
    // plain HTTP (and SockJS's HTTP transports) from that address: 429, Connection: close, and closed
    try (RawHttp http = RawHttp.connect(node.port())) {
      http.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertTrue(http.awaitServerClose(Duration.ofSeconds(2)), http.received());
      assertTrue(http.received().startsWith("HTTP/1.1 429"), http.received());
      assertTrue(http.received().toLowerCase(Locale.ROOT).contains("connection: close"), http.received());
    }
    // another address is not affected, and a silent one from there only holds its own slot
    try (RawHttp other = RawHttp.connect(node.port(), "127.0.0.2")) {
      other.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertTrue(!other.readFor(Duration.ofMillis(500)) && other.received().startsWith("HTTP/1.1 200"),
          other.received());
    }
    // a slot freed is a slot again
    ((TestClient) open.get(0)).close();
    assertTrue(io.parley.testing.Poll.until(() -> {
      try (TestClient again = TestClient.connect(vertx, Transport.WEBSOCKET, node.port())) {
        return "pong".equals(again.request(new JsonObject().put("type", "ping")).getString("type"));
      } catch (AssertionError | RuntimeException stillFull) {
        return false;
      }
    }, WAIT));
    assertTrue(metric("parley_connections_refused_total{reason=\"per_ip\"") >= 3);
  }

  @Test
  @DisplayName("past limits.maxConnections: new WebSocket sessions get 1013, SockJS ones a disconnect with 1013")
  void nodeLimit() {
    start(limits -> limits.put("maxConnections", 3));
    for (int i = 0; i < 3; i++) {
      client("held-" + i, Transport.WEBSOCKET);
    }
    TestClient ws = TestClient.connect(vertx, Transport.WEBSOCKET, node.port());
    open.add(ws);
    assertEquals(1013, ws.awaitClose(WAIT));
    for (Transport sockJs : List.of(Transport.SOCKJS_WEBSOCKET, Transport.SOCKJS_XHR_STREAMING)) {
      TestClient client = TestClient.connect(vertx, sockJs, node.port());
      open.add(client);
      JsonObject disconnect = client.next(f -> "disconnect".equals(f.getString("type")), WAIT);
      assertEquals(1013, disconnect.getInteger("code"), sockJs.toString());
      client.awaitClose(WAIT);
    }
    assertEquals(200, Http.get(vertx, node.port(), "/health").status(), "plain HTTP is still served");
    assertTrue(metric("parley_connections_refused_total{reason=\"max_connections\"") >= 3);
    assertTrue(metric("parley_tcp_connections") >= 3);
  }

  @Test
  @DisplayName("heap fuller than limits.maxHeapFraction: new sessions get 1013 (WebSocket and SockJS)")
  void heapLimit() {
    start(limits -> limits.put("maxHeapFraction", 0.0001)); // any live heap is more than that
    TestClient ws = TestClient.connect(vertx, Transport.WEBSOCKET, node.port());
    open.add(ws);
    assertEquals(1013, ws.awaitClose(WAIT));
    TestClient sockJs = TestClient.connect(vertx, Transport.SOCKJS_XHR_POLLING, node.port());
    open.add(sockJs);
    assertEquals(1013, sockJs.next(f -> "disconnect".equals(f.getString("type")), WAIT).getInteger("code"));
    assertTrue(metric("parley_connections_refused_total{reason=\"memory\"") >= 2);
  }
}
