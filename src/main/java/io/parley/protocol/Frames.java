package io.parley.protocol;

import io.vertx.core.json.JsonObject;

/** Builds the frames the server sends (PROTOCOL.md). Field order follows the spec's examples. */
public final class Frames {

  private Frames() {
  }

  public static JsonObject ok(Object id) {
    JsonObject ok = new JsonObject().put("type", "ok");
    if (id != null) {
      ok.put("id", id);
    }
    return ok;
  }

  public static JsonObject pong(Object id) {
    JsonObject pong = new JsonObject().put("type", "pong");
    if (id != null) {
      pong.put("id", id);
    }
    return pong;
  }

  public static String error(Object id, ErrorCode code, String message) {
    JsonObject error = new JsonObject().put("type", "error");
    if (id != null) {
      error.put("id", id);
    }
    return error.put("code", code.wireName()).put("message", message).encode();
  }

  /** A room message as stored in history: everything but the room and the seq, which the position gives. */
  public static String storedMessage(String from, Object body, long ts) {
    return new JsonObject().put("from", from).put("body", body).put("ts", ts).encode();
  }

  /**
   * The {@code message} push for a stored room message. The routing fields are spliced in front of the stored
   * encoding so the body is encoded once, whatever the number of receivers; room names need no escaping.
   */
  public static String roomMessage(String room, long seq, String stored) {
    return "{\"type\":\"message\",\"room\":\"" + room + "\",\"seq\":" + seq + "," + stored.substring(1);
  }

  /**
   * A private message as stored in both users' streams: everything but the seq, which differs per stream. Its
   * {@code to} and {@code from} come first, so a conversation is found without parsing the body.
   */
  public static String storedPrivate(String to, String from, String mid, Object body, long ts) {
    return new JsonObject()
        .put("to", to)
        .put("from", from)
        .put("mid", mid)
        .put("body", body)
        .put("ts", ts)
        .encode();
  }

  /** The private message push for one user's stream: its seq there spliced in front of the stored encoding. */
  public static String privateMessage(long seq, String stored) {
    return "{\"type\":\"message\",\"seq\":" + seq + "," + stored.substring(1);
  }

  /** A room's stream began anew (PROTOCOL.md 1.1): its new epoch and latest seq. */
  public static String roomReset(String room, String epoch, long seq) {
    return new JsonObject().put("type", "reset").put("room", room).put("epoch", epoch).put("seq", seq).encode();
  }

  /** The user's own stream began anew (PROTOCOL.md 1.1): what follows counts from {@code seq} in {@code epoch}. */
  public static String userReset(String user, String epoch, long seq) {
    return new JsonObject().put("type", "reset").put("user", user).put("epoch", epoch).put("seq", seq).encode();
  }

  /**
   * The {@code ts} of a room message frame, read from its end without parsing (the stored encoding ends with
   * {@code "ts":N}); 0 when the frame does not end that way.
   */
  public static long tsOf(String roomMessage) {
    int end = roomMessage.length() - 1;
    int i = end - 1;
    while (i >= 0 && Character.isDigit(roomMessage.charAt(i))) {
      i--;
    }
    if (i == end - 1 || i < 5 || !roomMessage.startsWith("\"ts\":", i - 4)) {
      return 0;
    }
    return Long.parseLong(roomMessage, i + 1, end, 10);
  }

  /** A big room's presence: how many users are in it (PROTOCOL.md 1.1). */
  public static String presenceCount(String room, int count) {
    return new JsonObject().put("type", "presence").put("room", room).put("count", count).encode();
  }

  public static String presence(String room, String user, boolean joined) {
    return new JsonObject()
        .put("type", "presence")
        .put("room", room)
        .put("user", user)
        .put("state", joined ? "join" : "leave")
        .encode();
  }

  /**
   * The close code and reason, sent as a frame just before closing on transports that cannot carry a close code
   * themselves (vertx-web's SockJS always closes with 3000 "Go away!"; PROTOCOL.md 1.1 "disconnect").
   */
  public static String disconnect(CloseCode code, String reason) {
    return new JsonObject().put("type", "disconnect").put("code", code.code()).put("reason", reason).encode();
  }
}
