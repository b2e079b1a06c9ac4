package io.parley.session;

import io.parley.ParleyNode;
import io.parley.auth.TokenMinter;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Issue 18 item 2, PROTOCOL.md 1.1: a session ends with 4002 at its token's {@code exp} plus the leeway, unless a
 * further {@code auth} with a valid token of the same user refreshes it; another user's token or an invalid one
 * is refused and changes nothing. On every transport.
 */
class SessionLifetimeTest {

  private static final int LEEWAY_SECONDS = 1;
  private static Vertx vertx;
  private static ParleyNode node;
  private static TokenMinter minter;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(config -> config.getJsonObject("auth").getJsonObject("jwt")
        .put("leewaySeconds", LEEWAY_SECONDS));
    minter = new TokenMinter(vertx, TestNodes.SECRET);
  }

  @AfterAll
  static void stop() {
    TestNodes.stop(node);
    vertx.close();
  }

  private static String token(String user, int ttlSeconds) {
    return minter.mint(user, false, ttlSeconds, null, null);
  }

  private static TestClient session(TestClient.Transport transport, String user, int ttlSeconds) {
    TestClient client = TestClient.connect(vertx, transport, node.port());
    JsonObject ok = expectOk(client.request(new JsonObject().put("type", "auth").put("token", token(user, ttlSeconds))));
    long now = System.currentTimeMillis() / 1000;
    long exp = ok.getLong("exp");
    assertEquals(true, exp >= now + ttlSeconds - 2 && exp <= now + ttlSeconds + 1, "the ok names the expiry: " + ok);
    return client;
  }

  @ParameterizedTest
  @EnumSource(value = TestClient.Transport.class, names = {"WEBSOCKET", "SOCKJS_XHR_STREAMING"})
  @DisplayName("a session is closed with 4002 once its token expired, plus the leeway")
  void expires(TestClient.Transport transport) {
    try (TestClient client = session(transport, "short-" + transport, 2)) {
      join(client, "lifetime");
      expectOk(publish(client, "lifetime", "still valid"));
      long start = System.nanoTime();
      if (transport == TestClient.Transport.WEBSOCKET) {
        assertEquals(4002, client.awaitClose(Duration.ofSeconds(10)));
      } else { // SockJS closes with 3000 whatever the reason: the disconnect push carries the code
        JsonObject disconnect = client.next(f -> "disconnect".equals(f.getString("type")), Duration.ofSeconds(10));
        assertEquals(4002, disconnect.getInteger("code"));
      }
      long waitedMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(true, waitedMs >= 500, "not before exp + leeway: closed after " + waitedMs + " ms");
    }
  }

  @ParameterizedTest
  @EnumSource(value = TestClient.Transport.class, names = {"WEBSOCKET", "SOCKJS_XHR_STREAMING"})
  @DisplayName("a second auth of the same user refreshes the session; another user's or an invalid token changes nothing")
  void refreshes(TestClient.Transport transport) {
    String user = "long-" + transport;
    try (TestClient client = session(transport, user, 2)) {
      join(client, "lifetime");
      expectError(client.request(new JsonObject().put("type", "auth").put("token", token("someone-else", 60))),
          "forbidden");
      expectError(client.request(new JsonObject().put("type", "auth").put("token", "not.a.token")), "unauthorized");
      JsonObject refreshed = expectOk(client.request(new JsonObject().put("type", "auth").put("token", token(user, 60))));
      assertEquals(user, refreshed.getString("user"));
      TestNodes.await(vertx.timer(2000 + LEEWAY_SECONDS * 1000 + 1000), Duration.ofSeconds(10));
      assertFalse(client.isClosed(), "the refreshed session outlives the first token");
      expectOk(publish(client, "lifetime", "after the first exp"));
    }
  }
}
