package io.parley.auth;

import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real node with auth.jwt.issuer and audience: over real WebSockets and HTTP, only tokens carrying both get in. */
class IssuerAudienceTest {

  private static final String ISSUER = "https://auth.example.com";
  private static final String AUDIENCE = "parley-prod";

  @RegisterExtension
  static final SingleNode NODE = new SingleNode(config -> config.getJsonObject("auth").getJsonObject("jwt")
      .put("issuer", ISSUER).put("audience", AUDIENCE));

  private static String token(String issuer, String audience, boolean admin) {
    return new TokenMinter(NODE.vertx(), TestNodes.SECRET, issuer, audience).mint("ivy", admin, 600, null, null);
  }

  @Test
  @DisplayName("WebSocket auth: the right iss and aud: ok; either missing or wrong: unauthorized and 4001")
  void webSocket() {
    try (TestClient good = TestClient.connect(NODE.vertx(), TestClient.Transport.WEBSOCKET, NODE.port())) {
      JsonObject ok = expectOk(good.request(new JsonObject().put("type", "auth").put("token", token(ISSUER, AUDIENCE, false))));
      assertEquals("ivy", ok.getString("user"));
    }
    String[][] wrong = {{"", AUDIENCE}, {ISSUER, ""}, {"https://evil.example.com", AUDIENCE}, {ISSUER, "parley-staging"}};
    for (String[] claims : wrong) {
      try (TestClient bad = TestClient.connect(NODE.vertx(), TestClient.Transport.WEBSOCKET, NODE.port())) {
        JsonObject refused = expectError(bad.request(new JsonObject().put("type", "auth")
            .put("token", token(claims[0], claims[1], false))), "unauthorized");
        assertTrue(refused.getString("message").contains(claims[0].equals(ISSUER) ? "aud" : "iss"), refused::encode);
        assertEquals(4001, bad.awaitClose(Duration.ofSeconds(5)));
      }
    }
  }

  @Test
  @DisplayName("server API: an admin token of another issuer is 401, of this one 200")
  void serverApi() {
    assertEquals(401, status(token("https://evil.example.com", AUDIENCE, true)));
    assertEquals(401, status(token(ISSUER, "", true)));
    assertEquals(200, status(token(ISSUER, AUDIENCE, true)));
    assertEquals(403, status(token(ISSUER, AUDIENCE, false)));
  }

  private static int status(String bearer) {
    HttpClient http = NODE.vertx().createHttpClient();
    try {
      return TestNodes.await(http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
              .setPort(NODE.port()).setURI("/api/rooms/lobby/presence").putHeader("Authorization", "Bearer " + bearer))
          .compose(request -> request.send())
          .compose(response -> response.body().map(b -> response.statusCode())), Duration.ofSeconds(10));
    } finally {
      http.close();
    }
  }
}
