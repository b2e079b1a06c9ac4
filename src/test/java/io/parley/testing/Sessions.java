package io.parley.testing;

import io.parley.ParleyNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Opens authenticated test clients and speaks the common requests. */
public final class Sessions {

  private Sessions() {
  }

  public static TestClient authenticated(Vertx vertx, ParleyNode node, String user) {
    return authenticated(vertx, node, user, TestClient.Transport.WEBSOCKET);
  }

  public static TestClient authenticated(Vertx vertx, ParleyNode node, String user, TestClient.Transport transport) {
    TestClient client = TestClient.connect(vertx, TestClient.options(node.port()).transport(transport));
    JsonObject ok = client.request(new JsonObject().put("type", "auth").put("token", TestNodes.token(vertx, user)));
    assertEquals("ok", ok.getString("type"), () -> "auth failed: " + ok);
    assertEquals(user, ok.getString("user"));
    return client;
  }

  public static JsonObject join(TestClient client, String room) {
    return expectOk(client.request(new JsonObject().put("type", "join").put("room", room)));
  }

  public static JsonObject joinSince(TestClient client, String room, long since) {
    return expectOk(client.request(new JsonObject().put("type", "join").put("room", room).put("since", since)));
  }

  public static JsonObject publish(TestClient client, String room, Object body) {
    return expectOk(client.request(new JsonObject().put("type", "publish").put("room", room).put("body", body)));
  }

  public static JsonObject expectOk(JsonObject reply) {
    assertEquals("ok", reply.getString("type"), () -> "expected ok, got " + reply);
    return reply;
  }

  public static JsonObject expectError(JsonObject reply, String code) {
    assertEquals("error", reply.getString("type"), () -> "expected error " + code + ", got " + reply);
    assertEquals(code, reply.getString("code"), () -> "wrong code in " + reply);
    return reply;
  }

  public static boolean isMessage(JsonObject frame, String room) {
    return "message".equals(frame.getString("type")) && room.equals(frame.getString("room"));
  }

  /**
   * The same request (same id) again until the node answers ok, within {@code wait}; meanwhile only
   * {@code unavailable} (the cluster or the store re-forming) may come.
   */
  public static JsonObject untilOk(TestClient client, JsonObject request, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      JsonObject reply = client.request(request);
      if ("ok".equals(reply.getString("type")) || System.nanoTime() > deadline) {
        return expectOk(reply);
      }
      expectError(reply, "unavailable");
    }
  }
}
