package io.parley;

import io.parley.testing.ParleyProcess;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** log.format=json on a real node process: every line one JSON object, session events with their fields. */
class ProcessJsonLogTest {

  private final Vertx vertx = Vertx.vertx();
  private ParleyProcess node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    vertx.close();
  }

  @Test
  @DisplayName("one JSON object per line; session events carry node, session and user; no token anywhere")
  void jsonLines() {
    int httpPort = TestNodes.freePort();
    int clusterPort = TestNodes.freePort();
    node = ParleyProcess.start(List.of(), Map.of(
        "PARLEY_AUTH_JWT_SECRET", TestNodes.SECRET,
        "PARLEY_HTTP_HOST", "127.0.0.1",
        "PARLEY_HTTP_PORT", Integer.toString(httpPort),
        "PARLEY_CLUSTER_PORT", Integer.toString(clusterPort),
        "PARLEY_CLUSTER_NAME", "json-log-" + clusterPort,
        "PARLEY_LOG_FORMAT", "json",
        "PARLEY_LOG_LEVEL", "DEBUG"));
    node.awaitStdout("event=node_ready", Duration.ofSeconds(60));
    String token = TestNodes.token(vertx, "json-user");
    try (TestClient client = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, httpPort)) {
      assertEquals("ok", client.request(new JsonObject().put("type", "auth").put("token", token)).getString("type"));
    }
    node.awaitStdout("event=session_end", Duration.ofSeconds(10));
    node.terminate();
    node.awaitExit(Duration.ofSeconds(15));

    List<String> lines = node.stdout();
    assertFalse(lines.isEmpty());
    JsonObject auth = null;
    for (String line : lines) {
      JsonObject event = new JsonObject(line); // throws if a line is not one JSON object
      assertTrue(event.containsKey("level") && event.containsKey("loggerName"), line);
      if ("event=session_auth".equals(event.getString("formattedMessage"))) {
        auth = event;
      }
    }
    assertTrue(auth != null, "a session_auth event was logged");
    Map<String, Object> fields = new HashMap<>();
    JsonArray pairs = auth.getJsonArray("kvpList");
    for (int i = 0; i < pairs.size(); i++) {
      fields.putAll(pairs.getJsonObject(i).getMap());
    }
    assertEquals("json-user", fields.get("user"));
    assertTrue(fields.containsKey("node") && fields.containsKey("session"), fields::toString);
    assertFalse(node.output().contains(token), "the token must never be logged");
  }
}
