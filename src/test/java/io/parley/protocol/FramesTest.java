package io.parley.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frames the server sends, decoded again and compared with the objects PROTOCOL.md describes. */
class FramesTest {

  private static final long TS = 1763900000000L;

  @Test
  @DisplayName("roomMessage splices room and seq into the stored encoding: valid JSON, the spec's message object")
  void roomMessage() {
    JsonObject body = new JsonObject().put("text", "hello").put("n", 1);
    String frame = Frames.roomMessage("lobby", 58, Frames.storedMessage("alice", body, TS));
    assertTrue(frame.startsWith("{\"type\":\"message\",\"room\":\"lobby\",\"seq\":58,"), frame);
    assertEquals(new JsonObject().put("type", "message").put("room", "lobby").put("seq", 58).put("from", "alice")
        .put("body", body).put("ts", TS), new JsonObject(frame));
  }

  @Test
  @DisplayName("roomMessage with every kind of body, including ones that need escaping")
  void roomMessageBodies() {
    List<Object> bodies = List.of("plain", "quote \" backslash \\ newline \n tab \t", "\u0000\u001f", "é☃😀",
        "}", "{\"not\":\"parsed\"}", 42, -1.5, true, new JsonArray().add(1).add("two").addNull(),
        new JsonObject().put("nested", new JsonObject().put("deep", new JsonArray())), new JsonObject());
    long seq = 1;
    for (Object body : bodies) {
      String frame = Frames.roomMessage("a.b_c:d-9", seq, Frames.storedMessage("bob", body, TS));
      JsonObject expected = new JsonObject().put("type", "message").put("room", "a.b_c:d-9").put("seq", seq)
          .put("from", "bob").put("body", body).put("ts", TS);
      assertEquals(expected, new JsonObject(frame), frame);
      seq++;
    }
  }

  @Test
  @DisplayName("roomMessage with a null body and the largest seq")
  void roomMessageNullBody() {
    String frame = Frames.roomMessage("r", Long.MAX_VALUE, Frames.storedMessage("u", null, 0));
    JsonObject decoded = new JsonObject(frame);
    assertEquals(Long.MAX_VALUE, decoded.getLong("seq"));
    assertTrue(decoded.containsKey("body"));
    assertEquals(null, decoded.getValue("body"));
  }

  @Test
  @DisplayName("ok, pong and error echo the id only when there is one")
  void replies() {
    assertEquals(new JsonObject().put("type", "ok").put("id", "x"), Frames.ok("x"));
    assertEquals(new JsonObject().put("type", "ok"), Frames.ok(null));
    assertEquals(new JsonObject().put("type", "pong").put("id", 7L), Frames.pong(7L));
    assertEquals(new JsonObject().put("type", "pong"), Frames.pong(null));
    assertEquals(new JsonObject().put("type", "error").put("id", 3L).put("code", "bad_request").put("message", "m"),
        new JsonObject(Frames.error(3L, ErrorCode.BAD_REQUEST, "m")));
    assertEquals(new JsonObject().put("type", "error").put("code", "rate_limited").put("message", "slow down"),
        new JsonObject(Frames.error(null, ErrorCode.RATE_LIMITED, "slow down")));
  }

  @Test
  @DisplayName("presence and disconnect frames")
  void pushes() {
    assertEquals(new JsonObject().put("type", "presence").put("room", "lobby").put("user", "alice").put("state", "join"),
        new JsonObject(Frames.presence("lobby", "alice", true)));
    assertEquals("leave", new JsonObject(Frames.presence("lobby", "alice", false)).getString("state"));
    assertEquals(new JsonObject().put("type", "disconnect").put("code", 1001).put("reason", "node shutting down"),
        new JsonObject(Frames.disconnect(CloseCode.GOING_AWAY, CloseCode.GOING_AWAY.reason())));
  }

  @Test
  @DisplayName("error codes go on the wire in snake_case")
  void wireNames() {
    assertEquals("bad_request", ErrorCode.BAD_REQUEST.wireName());
    assertEquals("rate_limited", ErrorCode.RATE_LIMITED.wireName());
    assertEquals("too_large", ErrorCode.TOO_LARGE.wireName());
    assertEquals("unavailable", ErrorCode.UNAVAILABLE.wireName());
  }
}
