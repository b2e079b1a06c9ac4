package io.parley.transport;

import io.parley.ParleyNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each defence against bad, slow and hostile clients, on a node configured for it, over real connections. */
@ExtendWith(VertxExtension.class)
class DefencesTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private Vertx vertx;
  private ParleyNode node;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    TestNodes.stop(node);
    vertx.close();
  }

  private void start(Consumer<JsonObject> adjust) {
    node = TestNodes.startSingle(adjust);
  }

  private static JsonObject publish(String room, Object body, String id) {
    return new JsonObject().put("type", "publish").put("room", room).put("body", body).put("id", id);
  }

  @Test
  @DisplayName("publishes beyond the token bucket get rate_limited; the connection stays open and refills")
  void publishRate() throws InterruptedException {
    start(config -> config.getJsonObject("limits").put("publishPerSecond", 5).put("publishBurst", 10));
    try (TestClient client = authenticated(vertx, node, "spammer")) {
      join(client, "spam");
      for (int i = 0; i < 30; i++) {
        client.send(publish("spam", i, "p" + i));
      }
      int ok = 0;
      int limited = 0;
      for (int i = 0; i < 30; i++) {
        String id = "p" + i;
        JsonObject reply = client.next(f -> id.equals(f.getString("id")), WAIT);
        if ("ok".equals(reply.getString("type"))) {
          ok++;
        } else {
          expectError(reply, "rate_limited");
          limited++;
        }
      }
      assertTrue(ok >= 10 && ok <= 13, "the burst, plus what refilled meanwhile: " + ok);
      assertEquals(30 - ok, limited);
      Thread.sleep(1000);
      expectOk(client.request(publish("spam", "after a pause", "later")));
    }
  }

  @Test
  @DisplayName("a client that keeps sending bad frames is closed with 4008 once past its error budget")
  void protocolErrors() {
    start(config -> config.getJsonObject("limits").put("protocolErrorsPerSecond", 0.1).put("protocolErrorBurst", 5));
    try (TestClient client = authenticated(vertx, node, "garbage")) {
      for (int i = 0; i < 5; i++) {
        client.sendText("nonsense " + i);
        expectError(client.next(WAIT), "bad_request");
      }
      client.sendText("one too many");
      assertEquals(4008, client.awaitClose(WAIT));
    }
  }

  @Test
  @DisplayName("new connections from one address beyond the per-second limit are closed with 4029")
  void connectionRate() {
    start(config -> config.getJsonObject("limits").put("connectionsPerIpPerSecond", 3));
    List<TestClient> clients = new ArrayList<>();
    try {
      int refused = 0;
      for (int i = 0; i < 8; i++) {
        TestClient client = TestClient.connect(vertx, Transport.WEBSOCKET, node.port());
        clients.add(client);
        JsonObject reply = null;
        try {
          reply = client.request(new JsonObject().put("type", "ping"));
        } catch (AssertionError | IllegalStateException closed) {
          // closed before it could answer
        }
        if (reply == null || client.isClosed()) {
          assertEquals(4029, client.awaitClose(WAIT));
          refused++;
        }
      }
      assertTrue(refused >= 4, "most of 8 connections within a second beyond 3/s are refused: " + refused);
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  @DisplayName("a client that stops reading is closed with 4008 (seen once it reads again); others get everything")
  void slowConsumer() {
    start(config -> config.getJsonObject("limits").put("maxQueuedBytes", 256 * 1024));
    String room = "busy";
    int messages = 400;
    String body = "x".repeat(30_000);
    try (TestClient publisher = authenticated(vertx, node, "firehose");
         TestClient fast = authenticated(vertx, node, "fast");
         TestClient slow = authenticated(vertx, node, "slow")) {
      join(fast, room);
      join(slow, room);
      join(publisher, room);
      slow.pauseReading();
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        publisher.send(publish(room, body, "f" + i));
      }
      for (long seq = 1; seq <= messages; seq++) {
        JsonObject message = fast.next(f -> isMessage(f, room), WAIT);
        assertEquals(seq, message.getLong("seq"));
      }
      System.out.printf("fast member received %d x 30 kB in %d ms while a slow one stalled%n", messages,
          (System.nanoTime() - start) / 1_000_000);
      slow.resumeReading();
      assertEquals(4008, slow.awaitClose(WAIT));
      assertTrue(slow.closeReason().contains("slow consumer"), slow.closeReason());
    }
  }

  @Test
  @DisplayName("RS256 tokens verify against a configured public key, besides HS256; a foreign key is refused")
  void rs256(@TempDir Path dir) throws Exception {
    KeyPair trusted = rsaKeyPair();
    Path publicKey = dir.resolve("trusted.pem");
    Files.writeString(publicKey, pem("PUBLIC KEY", trusted.getPublic().getEncoded()));
    start(config -> config.getJsonObject("auth").getJsonObject("jwt")
        .put("publicKeys", new JsonArray().add("RS256:" + publicKey)));

    String rsToken = rs256Signer(trusted).generateToken(new JsonObject().put("sub", "rsa-user"),
        new JWTOptions().setAlgorithm("RS256").setExpiresInSeconds(60));
    try (TestClient client = TestClient.connect(vertx, Transport.WEBSOCKET, node.port())) {
      JsonObject ok = expectOk(client.request(new JsonObject().put("type", "auth").put("token", rsToken)));
      assertEquals("rsa-user", ok.getString("user"));
    }
    try (TestClient hs = authenticated(vertx, node, "hmac-user")) {
      assertEquals("pong", hs.request(new JsonObject().put("type", "ping")).getString("type"));
    }
    String foreign = rs256Signer(rsaKeyPair()).generateToken(new JsonObject().put("sub", "mallory"),
        new JWTOptions().setAlgorithm("RS256").setExpiresInSeconds(60));
    try (TestClient client = TestClient.connect(vertx, Transport.WEBSOCKET, node.port())) {
      expectError(client.request(new JsonObject().put("type", "auth").put("token", foreign)), "unauthorized");
      assertEquals(4001, client.awaitClose(WAIT));
    }
  }

  private JWTAuth rs256Signer(KeyPair keys) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
        .setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))));
  }

  private static KeyPair rsaKeyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static String pem(String kind, byte[] der) {
    return "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + kind + "-----\n";
  }
}
