package io.parley.store;

import io.parley.ParleyNode;
import io.parley.testing.PostgresServer;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectError;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static io.parley.testing.Sessions.untilOk;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PostgreSQL going away under a running node: a publish or send it cannot commit is answered {@code unavailable}
 * (PROTOCOL.md: retry with the same id), never {@code internal}, and once the server is back the node writes again
 * on new connections, with nothing acknowledged lost.
 */
class StoreOutageTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Vertx vertx = Vertx.vertx();
  private PostgresServer server;
  private ParleyNode node;

  @AfterEach
  void tearDown() {
    if (node != null) {
      TestNodes.stop(node);
    }
    if (server != null) {
      server.close();
    }
    vertx.close();
  }

  @Test
  @DisplayName("store down: publish and send answer unavailable; store back: the same ids succeed")
  void unavailableWhileTheStoreIsDown() {
    server = PostgresServer.start(); // its own: crashing the shared one would disturb other tests
    PostgresServer.Database db = server.createDatabase();
    node = TestNodes.startSingle(config -> config.getJsonObject("store").put("kind", "postgres")
        .put("url", db.url()).put("user", db.user()).put("password", db.password()));
    try (TestClient alice = authenticated(vertx, node, "alice")) {
      join(alice, "outage");
      assertEquals(1L, publish(alice, "outage", "before").getLong("seq"));

      server.crash();
      JsonObject publishing = new JsonObject().put("type", "publish").put("id", "p-during").put("room", "outage")
          .put("body", "during");
      JsonObject sending = new JsonObject().put("type", "send").put("id", "s-during").put("to", "bob")
          .put("body", "during");
      expectError(alice.request(publishing), "unavailable");
      expectError(alice.request(sending), "unavailable");

      server.restart();
      JsonObject published = untilOk(alice, publishing, WAIT);
      untilOk(alice, sending, WAIT);
      JsonObject history = expectOk(alice.request(new JsonObject().put("type", "history").put("room", "outage")));
      List<Object> bodies = history.getJsonArray("messages").stream()
          .map(m -> ((JsonObject) m).getValue("body")).toList();
      assertEquals(List.of("before", "during"), bodies, "acknowledged messages kept, the retry stored once");
      assertEquals(published.getLong("seq"), history.getLong("seq"));
    }
  }
}
