package io.parley.api;

import io.parley.ParleyNode;
import io.parley.auth.TokenMinter;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server HTTP API over real HTTP against a real two-node cluster, error paths included. */
@ExtendWith(VertxExtension.class)
class ServerApiTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String API_KEY = "test-api-key-0123456789-abcdefghijklmnop";
  private static Vertx vertx;
  private static HttpClient http;
  private static List<ParleyNode> nodes;
  private static String admin;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
    nodes = TestNodes.startCluster(2, config -> {
      config.getJsonObject("api").put("keys", new JsonArray().add(API_KEY));
      config.getJsonObject("http").put("maxRequestBytes", 2048);
    });
    admin = new TokenMinter(vertx, TestNodes.SECRET).mint("backend", true, 600, null, null);
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNodes::stop);
    http.close();
    vertx.close();
  }

  private record Reply(int status, JsonObject body) {
  }

  private static Reply call(ParleyNode node, HttpMethod method, String path, String credential, String body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(node.port())
        .setURI(path);
    if (credential != null) {
      options.putHeader("Authorization", "Bearer " + credential);
    }
    return TestNodes.await(http.request(options)
        .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(b -> new Reply(response.statusCode(),
            b.length() == 0 ? new JsonObject() : new JsonObject(b)))), WAIT);
  }

  private static Reply expect(int status, Reply reply) {
    assertEquals(status, reply.status(), () -> "got " + reply);
    return reply;
  }

  @Test
  @DisplayName("missing or invalid credentials: 401; a valid token without admin: 403; an API key or admin JWT: allowed")
  void authorisation() {
    String path = "/api/rooms/lobby/presence";
    assertEquals("unauthorized", expect(401, call(nodes.get(0), HttpMethod.GET, path, null, null)).body().getString("error"));
    expect(401, call(nodes.get(0), HttpMethod.GET, path, "not-a-key-and-not-a-jwt", null));
    String foreign = new TokenMinter(vertx, "another-secret-of-enough-length-0123456789").mint("x", true, 600, null, null);
    expect(401, call(nodes.get(0), HttpMethod.GET, path, foreign, null));
    String expired = new TokenMinter(vertx, TestNodes.SECRET).mint("backend", true, -60, null, null);
    expect(401, call(nodes.get(1), HttpMethod.GET, path, expired, null));
    Reply notAdmin = expect(403, call(nodes.get(0), HttpMethod.GET, path, TestNodes.token(vertx, "mere-user"), null));
    assertEquals("forbidden", notAdmin.body().getString("error"));
    expect(403, call(nodes.get(1), HttpMethod.POST, "/api/rooms/lobby/messages", TestNodes.token(vertx, "mere-user"),
        "{\"body\":1}"));
    expect(200, call(nodes.get(0), HttpMethod.GET, path, API_KEY, null));
    expect(200, call(nodes.get(1), HttpMethod.GET, path, admin, null));
  }

  @Test
  @DisplayName("POST a room message on one node: members on the other get it; history and presence see it")
  void roomMessages() {
    String room = "api-room";
    try (TestClient member = authenticated(vertx, nodes.get(1), "member")) {
      join(member, room);
      Reply posted = expect(200, call(nodes.get(0), HttpMethod.POST, "/api/rooms/" + room + "/messages", admin,
          new JsonObject().put("body", new JsonObject().put("alert", "deploy at 5")).encode()));
      long seq = posted.body().getLong("seq");
      assertEquals(room, posted.body().getString("room"));
      JsonObject message = member.next(f -> isMessage(f, room), WAIT);
      assertEquals(seq, message.getLong("seq"));
      assertEquals("backend", message.getString("from"));
      JsonObject history = expect(200, call(nodes.get(1), HttpMethod.GET, "/api/rooms/" + room + "/history?since=0&limit=10",
          API_KEY, null)).body();
      assertEquals(seq, history.getLong("seq"));
      assertEquals("deploy at 5", history.getJsonArray("messages").getJsonObject(0).getJsonObject("body").getString("alert"));
      JsonObject presence = expect(200, call(nodes.get(0), HttpMethod.GET, "/api/rooms/" + room + "/presence", admin, null)).body();
      assertEquals(new JsonArray().add("member"), presence.getJsonArray("users"));
    }
  }

  @Test
  @DisplayName("bad input: 400 with a clear message; an oversized body: 413; an unknown route: 404")
  void badInput() {
    expect(400, call(nodes.get(0), HttpMethod.POST, "/api/rooms/bad%20room/messages", admin, "{\"body\":1}"));
    expect(400, call(nodes.get(0), HttpMethod.POST, "/api/rooms/ok/messages", admin, "{\"text\":1}"));
    Reply notJson = expect(400, call(nodes.get(0), HttpMethod.POST, "/api/rooms/ok/messages", admin, "{nope"));
    assertEquals("bad_request", notJson.body().getString("error"));
    expect(400, call(nodes.get(0), HttpMethod.GET, "/api/rooms/ok/history?limit=0", admin, null));
    expect(400, call(nodes.get(0), HttpMethod.GET, "/api/rooms/ok/history?since=x", admin, null));
    expect(413, call(nodes.get(0), HttpMethod.POST, "/api/rooms/ok/messages", admin,
        new JsonObject().put("body", "x".repeat(4096)).encode()));
    expect(404, call(nodes.get(0), HttpMethod.GET, "/api/nothing-here", admin, null));
  }

  @Test
  @DisplayName("POST a private message to a user: every session of theirs gets it")
  void userMessages() {
    try (TestClient phone = authenticated(vertx, nodes.get(0), "uma");
         TestClient laptop = authenticated(vertx, nodes.get(1), "uma")) {
      Reply sent = expect(200, call(nodes.get(1), HttpMethod.POST, "/api/users/uma/messages", API_KEY,
          "{\"body\":\"your order shipped\"}"));
      String mid = sent.body().getString("mid");
      for (TestClient device : List.of(phone, laptop)) {
        JsonObject message = device.next(f -> mid.equals(f.getString("mid")), WAIT);
        assertEquals("api", message.getString("from"));
        assertEquals("your order shipped", message.getString("body"));
      }
    }
  }

  @Test
  @DisplayName("disconnect closes every session of a user on every node with 4001 and revokes their old tokens")
  void disconnect() throws InterruptedException {
    String oldToken = TestNodes.token(vertx, "banned");
    try (TestClient one = TestClient.connect(vertx, TestClient.options(nodes.get(0).port()).wsPath("/ws?token=" + oldToken));
         TestClient two = authenticated(vertx, nodes.get(1), "banned")) {
      assertEquals("pong", one.request(new JsonObject().put("type", "ping")).getString("type"));
      Reply reply = expect(200, call(nodes.get(0), HttpMethod.POST, "/api/users/banned/disconnect", admin, null));
      assertTrue(reply.body().getBoolean("revoked"));
      assertEquals(4001, one.awaitClose(WAIT));
      assertEquals(4001, two.awaitClose(WAIT));
    }
    try (TestClient retry = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, nodes.get(1).port())) {
      JsonObject refused = expectError(retry.request(new JsonObject().put("type", "auth").put("token", oldToken)), "unauthorized");
      assertTrue(refused.getString("message").contains("revoked"), refused.encode());
    }
    Thread.sleep(1100); // tokens carry iat in whole seconds
    try (TestClient fresh = authenticated(vertx, nodes.get(0), "banned")) {
      assertEquals("pong", fresh.request(new JsonObject().put("type", "ping")).getString("type"));
    }
  }

  @Test
  @DisplayName("GET /api/nodes lists every node with address, uptime, connections and rooms, from any node")
  void nodeList() throws InterruptedException {
    Thread.sleep(100);
    for (ParleyNode asked : nodes) {
      JsonArray list = expect(200, call(asked, HttpMethod.GET, "/api/nodes", API_KEY, null)).body().getJsonArray("nodes");
      assertEquals(2, list.size(), list::encode);
      for (int i = 0; i < list.size(); i++) {
        JsonObject node = list.getJsonObject(i);
        assertTrue(node.getString("url").startsWith("http://127.0.0.1:"), node::encode);
        assertTrue(node.getLong("uptimeMs") >= 0);
        assertTrue(node.containsKey("connections") && node.containsKey("rooms") && node.containsKey("cluster"));
      }
    }
  }
}
