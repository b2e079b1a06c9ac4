package io.parley.transport;

import io.parley.auth.TokenMinter;
import io.parley.testing.Http;
import io.parley.testing.Poll;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 item 4, "every transport is equal": the slow-consumer cut (4008), the {@code disconnect} push, the frame
 * limit (4009), the read rate limit and heartbeat liveness, on {@code /ws} and on each SockJS transport, over real
 * connections to real nodes.
 */
class EveryTransportTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MAX_QUEUED = 256 * 1024;
  private static final long HEARTBEAT_MS = 200;
  private static final long HEARTBEAT_TIMEOUT_MS = 2000;

  /** The limits, with the default heartbeat: none of these tests waits for it. */
  @RegisterExtension
  static final SingleNode NODE = new SingleNode(config -> config.getJsonObject("limits")
      .put("maxQueuedBytes", MAX_QUEUED).put("readsPerSecond", 1).put("readBurst", 5));

  /** A short heartbeat, for the liveness tests. */
  @RegisterExtension
  static final SingleNode LIVE = new SingleNode(config -> config.getJsonObject("heartbeat")
      .put("intervalMs", HEARTBEAT_MS).put("timeoutMs", HEARTBEAT_TIMEOUT_MS));

  private static JsonObject request(String type) {
    return new JsonObject().put("type", type);
  }

  private static JsonObject disconnect(TestClient client) {
    return client.next(f -> "disconnect".equals(f.getString("type")), WAIT);
  }

  /**
   * The finding "SockJS sessions carried over WebSocket never trip the slow-consumer cut": vertx-web's count of
   * queued messages is reset whenever its WebSocket (or a streaming response) takes them. Reading is resumed as soon
   * as the node has counted the slow consumer: a polling session that does not poll for 5 s is gone anyway.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a client that stops reading gets disconnect 4008 (seen once it reads again), on every transport")
  void slowConsumer(Transport transport) {
    if (transport == Transport.SOCKJS_WEBSOCKET) {
      slowSockJsWebSocket();
      return;
    }
    String room = "firehose-" + transport;
    String body = "x".repeat(30_000);
    try (TestClient publisher = publisher(room);
         TestClient slow = authenticated(NODE.vertx(), NODE.node(), "slow-" + transport, transport)) {
      join(slow, room);
      double before = slowConsumers();
      slow.pauseReading();
      // up to 60 MB: more than the loopback's socket buffers can grow to (tcp_rmem's 32 MB, tcp_wmem's 4 MB)
      for (int i = 0; i < 2000; i++) {
        String id = "f" + i;
        publisher.send(new JsonObject().put("type", "publish").put("room", room).put("body", body).put("id", id));
        if (i % 20 == 19) {
          expectOk(publisher.next(f -> id.equals(f.getString("id")), WAIT)); // the publisher in step with the node
          if (slowConsumers() > before) {
            break;
          }
        }
      }
      assertTrue(Poll.until(() -> slowConsumers() > before, WAIT), "the node counted a slow consumer");
      slow.resumeReading();
      JsonObject disconnect = disconnect(slow);
      assertEquals(4008, disconnect.getInteger("code"), disconnect::encode);
      assertTrue(disconnect.getString("reason").contains("slow consumer"), disconnect::encode);
      slow.awaitClose(WAIT);
    }
  }

  /**
   * Over SockJS's WebSocket with a raw reader: Vert.x's WebSocket client, paused, handles the close that follows
   * the disconnect frame before the messages it holds, and drops them (a browser reads them in order).
   */
  private static void slowSockJsWebSocket() {
    String room = "firehose-raw-sockjs";
    String body = "x".repeat(30_000);
    double before = slowConsumers();
    try (TestClient publisher = publisher(room);
         SilentWebSocket slow = silentSession(NODE, Transport.SOCKJS_WEBSOCKET, "slow-raw-sockjs", room, 64 * 1024)) {
      slow.pauseReading();
      for (int i = 0; i < 2000 && slowConsumers() == before; i++) {
        String id = "f" + i;
        expectOk(publisher.request(new JsonObject().put("type", "publish").put("room", room).put("body", body)
            .put("id", id)));
      }
      assertTrue(slowConsumers() > before, "the node counted a slow consumer");
      slow.resumeReading();
      // inside a SockJS frame: a["{\"type\":\"disconnect\",\"code\":4008,...}"]
      assertTrue(slow.awaitReceived("disconnect\\\",\\\"code\\\":4008", WAIT), "disconnect 4008 arrived");
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a text frame over limits.maxFrameBytes: disconnect 4009, then the close, on every transport")
  void frameTooLarge(Transport transport) {
    int maxFrame = NODE.node().config().limits().maxFrameBytes();
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "big-" + transport, transport)) {
      client.sendText("y".repeat(maxFrame + 1));
      assertEquals(4009, disconnect(client).getInteger("code"));
      int code = client.awaitClose(WAIT);
      if (transport == Transport.WEBSOCKET) {
        assertEquals(4009, code);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("the server API's disconnect reaches every transport as disconnect 4001 before the close")
  void disconnectPush(Transport transport) {
    String user = "dropped-" + transport;
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), user, transport)) {
      assertEquals(200, api(NODE, HttpMethod.POST, "/api/users/" + user + "/disconnect").getInteger("status"));
      assertEquals(4001, disconnect(client).getInteger("code"));
      int code = client.awaitClose(WAIT);
      if (transport == Transport.WEBSOCKET) {
        assertEquals(4001, code);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("reads past limits.readBurst get rate_limited and the connection stays open, on every transport")
  void readRateLimit(Transport transport) {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "reader-" + transport, transport)) {
      int limited = 0;
      for (int i = 0; i < 12; i++) {
        JsonObject reply = client.request(request("history").put("room", "quiet"));
        if ("error".equals(reply.getString("type"))) {
          expectError(reply, "rate_limited");
          limited++;
        }
      }
      assertTrue(limited >= 5, "12 reads at once past a burst of 5 at 1/s: " + limited + " refused");
      assertFalse(client.isClosed());
      assertEquals("pong", client.request(request("ping")).getString("type"));
    }
  }

  /**
   * The finding "no pong-based liveness" over SockJS's WebSocket, and a vanished client on the others: a client that
   * stops reading answers no ping (WebSocket transports), stops polling (xhr-polling), or stops the pings it sent
   * before (streaming transports, where the node cannot ping: parley.js pings every pingIntervalMs).
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a client that answers no ping, or pinged and then stops, leaves presence after heartbeat.timeoutMs")
  void vanishedClientLeaves(Transport transport) {
    String room = "vanish-" + transport;
    String user = "gone-" + transport;
    if (transport == Transport.WEBSOCKET || transport == Transport.SOCKJS_WEBSOCKET) {
      // a peer that never answers pings: a paused Vert.x client would still read them, and leak them when closed
      try (SilentWebSocket silent = silentSession(LIVE, transport, user, room, 256 * 1024)) {
        assertTrue(Poll.until(() -> presence(room).equals(Set.of(user)), WAIT), "in presence");
        long stopped = System.nanoTime();
        assertLeaves(transport, room, stopped);
        // a ping frame (0x89) with the node's 6-byte payload, unmasked
        String raw = silent.received().toString(StandardCharsets.ISO_8859_1);
        assertTrue(raw.indexOf("\u0089\u0006parley") != raw.lastIndexOf("\u0089\u0006parley"),
            "the node pinged it every heartbeat.intervalMs");
      }
      return;
    }
    try (TestClient client = authenticated(LIVE.vertx(), LIVE.node(), user, transport)) {
      join(client, room);
      assertEquals("pong", client.request(request("ping")).getString("type"));
      assertEquals(Set.of(user), presence(room));
      long stopped = System.nanoTime();
      client.pauseReading();
      assertLeaves(transport, room, stopped);
    }
  }

  private static void assertLeaves(Transport transport, String room, long stoppedNanos) {
    assertTrue(Poll.until(() -> presenceIfAnswered(room).isEmpty(), Duration.ofMillis(HEARTBEAT_TIMEOUT_MS).plus(WAIT)),
        "left presence");
    long tookMs = (System.nanoTime() - stoppedNanos) / 1_000_000;
    assertTrue(tookMs >= HEARTBEAT_TIMEOUT_MS - HEARTBEAT_MS, "not before the timeout: " + tookMs + " ms");
    System.out.printf("%s: a client that stopped answering left presence after %d ms%n", transport, tookMs);
  }

  /** A raw WebSocket ({@code /ws}, or SockJS's) that authenticates, joins the room and then answers nothing. */
  private static SilentWebSocket silentSession(SingleNode node, Transport transport, String user, String room,
                                               int receiveBufferBytes) {
    boolean sockJs = transport == Transport.SOCKJS_WEBSOCKET;
    String token = TestNodes.token(node.vertx(), user);
    SilentWebSocket silent = SilentWebSocket.connect(node.vertx(), node.port(),
        sockJs ? "/sockjs/000/" + UUID.randomUUID() + "/websocket" : "/ws?token=" + token, receiveBufferBytes);
    assertTrue(silent.awaitReceived("HTTP/1.1 101", WAIT), silent::handshakeStatusLine);
    List<JsonObject> frames = new ArrayList<>();
    if (sockJs) {
      frames.add(request("auth").put("token", token));
    }
    frames.add(request("join").put("room", room));
    for (JsonObject frame : frames) {
      String text = sockJs ? new JsonArray().add(frame.encode()).encode() : frame.encode();
      silent.sendRawFrame(0x1, true, text.getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(Poll.until(() -> silent.received().toString(StandardCharsets.ISO_8859_1).contains(room), WAIT),
        "joined");
    return silent;
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a live client that never pings stays through several heartbeat timeouts, on every transport")
  void liveClientStays(Transport transport) {
    String room = "stay-" + transport;
    String user = "here-" + transport;
    try (TestClient client = authenticated(LIVE.vertx(), LIVE.node(), user, transport)) {
      join(client, room);
      Http.sleep(3 * HEARTBEAT_TIMEOUT_MS);
      assertFalse(client.isClosed(), () -> "closed: " + client.closeReason());
      assertEquals(Set.of(user), presence(room));
      assertEquals("pong", client.request(request("ping")).getString("type"));
    }
  }

  /** Publishes to the room without joining it: it is sent none of the flood. */
  private static TestClient publisher(String room) {
    TestClient client = TestClient.connect(NODE.vertx(), TestClient.options(NODE.port()));
    expectOk(client.request(request("auth")
        .put("token", TestNodes.token(NODE.vertx(), "pub-" + room, null, List.of(room)))));
    return client;
  }

  private static double slowConsumers() {
    Matcher value = Pattern.compile("(?m)^parley_slow_consumers_total(?:\\{[^}]*})? (\\S+)$")
        .matcher(Http.get(NODE.vertx(), NODE.port(), "/metrics").body());
    return value.find() ? Double.parseDouble(value.group(1)) : 0;
  }

  /** The room's presence, or (the API call timed out on a loaded machine) a set that is not yet empty. */
  private static Set<String> presenceIfAnswered(String room) {
    try {
      return presence(room);
    } catch (IllegalStateException timedOut) {
      return Set.of("(no answer yet)");
    }
  }

  private static Set<String> presence(String room) {
    JsonObject reply = api(LIVE, HttpMethod.GET, "/api/rooms/" + room + "/presence");
    assertEquals(200, reply.getInteger("status"), reply::encode);
    JsonArray users = reply.getJsonObject("body").getJsonArray("users");
    return Set.copyOf(users.getList().stream().map(String::valueOf).toList());
  }

  /** {@code {"status": ..., "body": {...}}} of a server API call with an admin token. */
  private static JsonObject api(SingleNode node, HttpMethod method, String path) {
    Vertx vertx = node.vertx();
    String admin = new TokenMinter(vertx, TestNodes.SECRET).mint("admin", true, 3600, null, null);
    HttpClient http = vertx.createHttpClient();
    try {
      return TestNodes.await(http.request(new RequestOptions().setMethod(method).setHost("127.0.0.1")
              .setPort(node.port()).setURI(path).putHeader("Authorization", "Bearer " + admin))
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> new JsonObject().put("status", response.statusCode())
              .put("body", body.length() == 0 ? new JsonObject() : body.toJsonObject()))), WAIT);
    } finally {
      http.close();
    }
  }
}
