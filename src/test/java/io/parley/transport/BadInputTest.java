package io.parley.transport;

import io.parley.testing.Http;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.SingleNode;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input over {@code /ws}: each case gets its error frame or close code, and after each the node still
 * serves a well-behaved client (checked after every test).
 */
@ExtendWith(VertxExtension.class)
class BadInputTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final int MAX_FRAME = 8192;
  private static final int MAX_ROOMS = 3;

  @RegisterExtension
  static final SingleNode NODE = new SingleNode(config -> {
    config.getJsonObject("auth").put("timeoutMs", 800);
    config.getJsonObject("limits").put("maxFrameBytes", MAX_FRAME).put("maxRoomsPerConnection", MAX_ROOMS);
    config.getJsonObject("heartbeat").put("intervalMs", 200).put("timeoutMs", 700);
    config.getJsonObject("http").put("allowedOrigins", new JsonArray().add("https://app.example.com"));
  });

  @AfterEach
  void nodeStillServesOthers() {
    try (TestClient a = authenticated(NODE.vertx(), NODE.node(), "healthy-a");
         TestClient b = authenticated(NODE.vertx(), NODE.node(), "healthy-b")) {
      join(a, "healthcheck");
      join(b, "healthcheck");
      long seq = publish(a, "healthcheck", "still alive").getLong("seq");
      assertEquals(seq, b.next(f -> isMessage(f, "healthcheck"), WAIT).getLong("seq"));
    }
  }

  private static TestClient connect() {
    return TestClient.connect(NODE.vertx(), Transport.WEBSOCKET, NODE.port());
  }

  private static JsonObject request(String type) {
    return new JsonObject().put("type", type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "{\"type\":", "[1,2,3]", "42", "\"auth\"", "{}}"})
  @DisplayName("a frame that is not one JSON object: bad_request, connection stays open")
  void notAJsonObject(String text) {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "sloppy")) {
      client.sendText(text);
      JsonObject error = client.next(WAIT);
      expectError(error, "bad_request");
      assertNull(error.getValue("id"));
      assertEquals("pong", client.request(request("ping")).getString("type"));
    }
  }

  @Test
  @DisplayName("unknown type, missing type, ill-typed id: bad_request echoing the id where valid")
  void unknownOrMissingType() {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "confused")) {
      JsonObject unknown = expectError(client.request(request("subscribe").put("id", "u1")), "bad_request");
      assertEquals("u1", unknown.getString("id"));
      assertTrue(unknown.getString("message").contains("unknown type"));
      JsonObject missing = expectError(client.request(new JsonObject().put("id", 7).put("room", "x")), "bad_request");
      assertEquals(7L, missing.getLong("id"));
      client.send(request("ping").put("id", "x".repeat(65)));
      expectError(client.next(WAIT), "bad_request");
      client.send(request("ping").put("id", new JsonObject()));
      expectError(client.next(WAIT), "bad_request");
    }
  }

  @Test
  @DisplayName("missing and ill-typed fields: bad_request")
  void illTypedFields() {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "careless")) {
      expectError(client.request(request("join")), "bad_request");
      expectError(client.request(request("join").put("room", 5)), "bad_request");
      expectError(client.request(request("join").put("room", "has space")), "bad_request");
      expectError(client.request(request("join").put("room", "")), "bad_request");
      expectError(client.request(request("join").put("room", "r".repeat(129))), "bad_request");
      expectError(client.request(request("join").put("room", "ok").put("since", "3")), "bad_request");
      expectError(client.request(request("join").put("room", "ok").put("since", -1)), "bad_request");
      expectError(client.request(request("join").put("room", "ok").put("since", 1.5)), "bad_request");
      expectError(client.request(request("publish").put("room", "ok")), "bad_request");
      expectError(client.request(request("history").put("room", "ok").put("limit", 0)), "bad_request");
      expectError(client.request(request("history").put("room", "ok").put("limit", 1_000_000)), "bad_request");
      expectError(client.request(request("auth")), "bad_request");
    }
  }

  @Test
  @DisplayName("binary frames: bad_request")
  void binaryFrame() {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "binary")) {
      client.sendBinary(Buffer.buffer(new byte[]{1, 2, 3}));
      expectError(client.next(WAIT), "bad_request");
      assertEquals("pong", client.request(request("ping")).getString("type"));
    }
  }

  @Test
  @DisplayName("a frame over limits.maxFrameBytes: close 4009; one at the limit is served")
  void oversizedFrame() {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "chatty")) {
      join(client, "big");
      String padding = "x".repeat(MAX_FRAME - 200);
      expectOk(client.request(request("publish").put("room", "big").put("body", padding)));
      client.sendText(new JsonObject().put("type", "publish").put("room", "big").put("body", "y".repeat(MAX_FRAME)).encode());
      assertEquals(4009, client.awaitClose(WAIT));
    }
  }

  @Test
  @DisplayName("over SockJS, where close codes cannot travel, a disconnect frame carries 4009 before the close")
  void oversizedFrameOverSockJs() {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "chatty-sockjs", Transport.SOCKJS_WEBSOCKET)) {
      client.sendText("z".repeat(MAX_FRAME + 1));
      JsonObject disconnect = client.next(f -> "disconnect".equals(f.getString("type")), WAIT);
      assertEquals(4009, disconnect.getInteger("code"));
      client.awaitClose(WAIT);
    }
  }

  @Test
  @DisplayName("no auth within auth.timeoutMs: close 4001; requests before auth: unauthorized")
  void authTimeout() {
    try (TestClient client = connect()) {
      expectError(client.request(request("join").put("room", "lobby")), "unauthorized");
      assertEquals("pong", client.request(request("ping")).getString("type"));
      assertEquals(4001, client.awaitClose(Duration.ofSeconds(3)));
    }
  }

  @Test
  @DisplayName("a token signed with another secret: unauthorized, close 4001")
  void wronglySignedToken() {
    String forged = hs256("another-secret-that-is-long-enough-0123456789")
        .generateToken(new JsonObject().put("sub", "mallory"), new JWTOptions().setExpiresInSeconds(60));
    assertRefused(forged);
  }

  @Test
  @DisplayName("an expired token: unauthorized, close 4001")
  void expiredToken() {
    long past = System.currentTimeMillis() / 1000 - 3600;
    assertRefused(hs256(TestNodes.SECRET).generateToken(new JsonObject().put("sub", "late").put("exp", past)));
  }

  @Test
  @DisplayName("a token without exp, and garbage: unauthorized, close 4001")
  void tokenWithoutExpOrGarbage() {
    assertRefused(hs256(TestNodes.SECRET).generateToken(new JsonObject().put("sub", "forever")));
    assertRefused("not.a.jwt");
  }

  private void assertRefused(String token) {
    try (TestClient client = connect()) {
      JsonObject error = expectError(client.request(request("auth").put("token", token)), "unauthorized");
      assertFalse(error.getString("message").contains(token), "the token must not be echoed");
      assertEquals(4001, client.awaitClose(WAIT));
    }
  }

  private static JWTAuth hs256(String secret) {
    return JWTAuth.create(NODE.vertx(), new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  @Test
  @DisplayName("?token= in the URL authenticates; an invalid one closes 4001")
  void tokenInUrl() {
    String token = TestNodes.token(NODE.vertx(), "urlguy");
    try (TestClient client = TestClient.connect(NODE.vertx(),
        TestClient.options(NODE.port()).wsPath("/ws?token=" + token))) {
      JsonObject joined = join(client, "url-room");
      assertEquals("url-room", joined.getString("room"));
      // PROTOCOL.md 1.1: a further auth of the same user refreshes the session; another user's is refused
      assertEquals("urlguy", expectOk(client.request(request("auth").put("token", token))).getString("user"));
      expectError(client.request(request("auth").put("token", TestNodes.token(NODE.vertx(), "other"))), "forbidden");
    }
    try (TestClient client = TestClient.connect(NODE.vertx(),
        TestClient.options(NODE.port()).wsPath("/ws?token=garbage"))) {
      assertEquals(4001, client.awaitClose(WAIT));
    }
  }

  @Test
  @DisplayName("rooms claim, publish claim, rooms-per-connection cap: forbidden")
  void authorisation() {
    String token = TestNodes.token(NODE.vertx(), "limited", List.of("team-*"), List.of("alerts"));
    try (TestClient client = TestClient.connect(NODE.vertx(), Transport.WEBSOCKET, NODE.port())) {
      expectOk(client.request(request("auth").put("token", token)));
      expectOk(client.request(request("join").put("room", "team-red")));
      expectError(client.request(request("join").put("room", "lobby")), "forbidden");
      expectError(client.request(request("presence").put("room", "lobby")), "forbidden");
      expectError(client.request(request("history").put("room", "lobby")), "forbidden");
      expectError(client.request(request("publish").put("room", "team-blue").put("body", 1)), "forbidden");
      expectOk(client.request(request("publish").put("room", "alerts").put("body", "bot says hi")));
      expectError(client.request(request("leave").put("room", "team-blue")), "not_found");
      expectOk(client.request(request("join").put("room", "team-blue")));
      expectOk(client.request(request("join").put("room", "team-green")));
      JsonObject capped = expectError(client.request(request("join").put("room", "team-gold")), "forbidden");
      assertTrue(capped.getString("message").contains("too many rooms"));
    }
  }

  @Test
  @DisplayName("a disallowed Origin is refused at the handshake; same origin and listed origins are allowed")
  void origins() {
    for (Transport transport : List.of(Transport.WEBSOCKET, Transport.SOCKJS_XHR_STREAMING)) {
      TestClient.HandshakeRejected refused = assertThrows(TestClient.HandshakeRejected.class,
          () -> TestClient.connect(NODE.vertx(), TestClient.options(NODE.port()).transport(transport)
              .origin("https://evil.example.com")));
      assertEquals(403, refused.status());
    }
    try (TestClient listed = TestClient.connect(NODE.vertx(),
             TestClient.options(NODE.port()).origin("https://app.example.com"));
         TestClient same = TestClient.connect(NODE.vertx(), TestClient.options(NODE.port())
             .origin("http://127.0.0.1:" + NODE.port()))) {
      assertEquals("pong", listed.request(request("ping")).getString("type"));
      assertEquals("pong", same.request(request("ping")).getString("type"));
    }
  }

  @Test
  @DisplayName("a client that never answers pings is closed after heartbeat.timeoutMs; a live one is not")
  void heartbeat() {
    String token = TestNodes.token(NODE.vertx(), "silent");
    try (SilentWebSocket silent = SilentWebSocket.connect(NODE.vertx(), NODE.port(), "/ws?token=" + token);
         TestClient live = authenticated(NODE.vertx(), NODE.node(), "live")) {
      Http.sleep(1500);
      assertTrue(silent.handshakeStatusLine().contains("101"), silent.handshakeStatusLine());
      assertTrue(silent.countFrames(0x9) >= 2, "the server pings every heartbeat.intervalMs");
      assertEquals(4008, silent.closeCode(), "closed after heartbeat.timeoutMs of silence, to reconnect");
      assertFalse(live.isClosed());
      assertEquals("pong", live.request(request("ping")).getString("type"));
    }
  }

}
