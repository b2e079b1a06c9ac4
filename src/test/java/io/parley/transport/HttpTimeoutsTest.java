package io.parley.transport;

import io.parley.testing.Http;
import io.parley.testing.RawHttp;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.parley.testing.Sessions.authenticated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code http.headerTimeoutMs} and {@code http.idleTimeoutMs} over real connections: silent, trickling and idle
 * keep-alive connections are closed; WebSocket sessions and SockJS sessions (streaming, polling, WebSocket) live on
 * well past both; refused requests are answered with {@code Connection: close} and the connection closed.
 */
@ExtendWith(VertxExtension.class)
class HttpTimeoutsTest {

  private static final long HEADER_MS = 1000;
  private static final long IDLE_MS = 1500;
  private static final Duration SLACK = Duration.ofMillis(1500);

  @RegisterExtension
  static final SingleNode NODE = new SingleNode(config -> {
    config.getJsonObject("http").put("headerTimeoutMs", HEADER_MS).put("idleTimeoutMs", IDLE_MS);
    // SockJS's heartbeat too: polling responses end every 200 ms, so a polling session has gaps between requests
    config.getJsonObject("heartbeat").put("intervalMs", 200).put("timeoutMs", 1500);
  });

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + NODE.port() + "\r\n\r\n";
  }

  @Test
  @DisplayName("connections that send nothing are closed after http.headerTimeoutMs, not before")
  void silentConnections() {
    List<RawHttp> silent = new ArrayList<>();
    try {
      long start = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        silent.add(RawHttp.connect(NODE.port()));
      }
      assertFalse(silent.get(0).readFor(Duration.ofMillis(HEADER_MS - 150)), "not closed before the timeout");
      for (RawHttp socket : silent) {
        assertTrue(socket.awaitServerClose(SLACK), "closed after http.headerTimeoutMs");
        assertEquals("", socket.received(), "nothing was asked, nothing answered");
      }
      System.out.printf("50 silent connections closed after %d ms%n", (System.nanoTime() - start) / 1_000_000);
    } finally {
      silent.forEach(RawHttp::close);
    }
    assertTrue(metric("parley_http_timeouts_total{phase=\"headers\"") >= 50);
  }

  @Test
  @DisplayName("a request whose header lines trickle in is answered 408 and closed at http.headerTimeoutMs")
  void tricklingHeaders() {
    try (RawHttp slow = RawHttp.connect(NODE.port())) {
      long start = System.nanoTime();
      slow.send("GET /health HTTP/1.1\r\n");
      boolean closed = false;
      for (int i = 0; i < 40 && !closed; i++) {
        try {
          slow.send("X-Slow-" + i + ": still coming\r\n");
        } catch (UncheckedIOException gone) {
          closed = true;
          break;
        }
        closed = slow.readFor(Duration.ofMillis(100));
      }
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(closed || slow.awaitServerClose(SLACK), "closed while still trickling");
      assertTrue(elapsedMs >= HEADER_MS - 50 && elapsedMs < HEADER_MS + SLACK.toMillis(), "after " + elapsedMs + " ms");
      assertTrue(slow.received().startsWith("HTTP/1.1 408"), slow.received());
      assertTrue(slow.received().toLowerCase(Locale.ROOT).contains("connection: close"), slow.received());
    }
  }

  @Test
  @DisplayName("a keep-alive connection is closed after http.idleTimeoutMs without a request, not while it asks")
  void idleKeepAlive() {
    for (String path : List.of("/health", "/parley.js")) {
      try (RawHttp client = RawHttp.connect(NODE.port())) {
        // requests closer together than the idle timeout keep it open, past both timeouts
        for (int i = 0; i < 5; i++) {
          client.send(get(path));
          assertFalse(client.readFor(Duration.ofMillis(IDLE_MS / 2)), path + ": open while in use, request " + i);
        }
        assertEquals(5, client.received().split("HTTP/1.1 200", -1).length - 1, path);
        long idleFrom = System.nanoTime();
        assertTrue(client.awaitServerClose(Duration.ofMillis(IDLE_MS).plus(SLACK)), path + ": closed when idle");
        long idleMs = (System.nanoTime() - idleFrom) / 1_000_000;
        assertTrue(idleMs >= IDLE_MS - IDLE_MS / 2 - 100, path + ": closed " + idleMs + " ms after the last answer");
      }
    }
    assertTrue(metric("parley_http_timeouts_total{phase=\"idle\"") >= 2);
  }

  @Test
  @DisplayName("WebSocket and SockJS sessions (streaming, polling, WebSocket) outlive both timeouts and still work")
  void sessionsSurvive() {
    List<TestClient> clients = new ArrayList<>();
    try {
      for (Transport transport : Transport.values()) {
        clients.add(authenticated(NODE.vertx(), NODE.node(), "survivor-" + transport, transport));
      }
      String token = TestNodes.token(NODE.vertx(), "quiet");
      try (SilentWebSocket unauthenticatedYet = SilentWebSocket.connect(NODE.vertx(), NODE.port(), "/ws")) {
        Http.sleep(3 * IDLE_MS);
        for (TestClient client : clients) {
          assertFalse(client.isClosed(), "open after 3 idle timeouts: " + client.closeReason());
          assertEquals("pong", client.request(new JsonObject().put("type", "ping")).getString("type"));
        }
        assertTrue(unauthenticatedYet.handshakeStatusLine().contains("101"));
        assertFalse(unauthenticatedYet.isClosedByServer(), "a WebSocket is a session: auth.timeoutMs rules it");
      }
      assertFalse(token.isEmpty());
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  @DisplayName("refused requests (plain GET /ws, bad version, foreign Origin) get Connection: close and are closed")
  void refusalsClose() {
    String evil = "Origin: https://evil.example.com\r\n";
    String upgrade = SilentWebSocket.upgradeRequest(NODE.port(), "/ws", "13");
    String sockJs = "POST /sockjs/123/abcdefgh/xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1:" + NODE.port()
        + "\r\nContent-Length: 0\r\n" + evil + "\r\n";
    List<String[]> cases = List.of(
        new String[]{get("/ws"), "HTTP/1.1 400"},
        new String[]{SilentWebSocket.upgradeRequest(NODE.port(), "/ws", "99"), "HTTP/1.1 426"},
        new String[]{upgrade.replace("\r\n\r\n", "\r\n" + evil + "\r\n"), "HTTP/1.1 403"},
        new String[]{upgrade.replace("Sec-WebSocket-Key", "X-Not-A-Key"), "HTTP/1.1 400"},
        new String[]{sockJs, "HTTP/1.1 403"});
    for (String[] c : cases) {
      try (RawHttp client = RawHttp.connect(NODE.port())) {
        client.send(c[0]);
        assertTrue(client.awaitServerClose(Duration.ofSeconds(2)), "closed at once: " + client.received());
        assertTrue(client.received().startsWith(c[1]), c[1] + " expected: " + client.received());
        assertTrue(client.received().toLowerCase(Locale.ROOT).contains("connection: close"), client.received());
      }
    }
    assertTrue(metric("parley_connections_refused_total{reason=\"origin\"") >= 2);
    assertTrue(metric("parley_connections_refused_total{reason=\"bad_upgrade\"") >= 2);
  }

  /** The value of the first /metrics line that starts with {@code series}. */
  static double metric(String series) {
    return metric(NODE.port(), series);
  }

  static double metric(int port, String series) {
    String text = Http.get(NODE == null ? null : NODE.vertx(), port, "/metrics").body();
    for (String line : text.split("\n")) {
      if (line.startsWith(series)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no series " + series + " in /metrics");
  }
}
