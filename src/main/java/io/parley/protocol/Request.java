package io.parley.protocol;

import io.vertx.core.json.JsonObject;

import static io.parley.protocol.ProtocolException.badRequest;

/**
 * One parsed client request: its {@code type}, its {@code id} (a String, a Long or null) and its fields.
 * The typed accessors throw {@link ProtocolException} ({@code bad_request}) for missing or ill-typed fields.
 */
public record Request(String type, Object id, JsonObject fields) {

  public static final int MAX_ROOM_LENGTH = 128;

  public String room() {
    Object value = fields.getValue("room");
    if (!(value instanceof String room)) {
      throw badRequest("field room is required and must be a string");
    }
    if (!isValidRoom(room)) {
      throw badRequest("room must be 1 to " + MAX_ROOM_LENGTH + " characters of [A-Za-z0-9._:-]");
    }
    return room;
  }

  public String requiredString(String name) {
    Object value = fields.getValue(name);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw badRequest("field " + name + " is required and must be a non-empty string");
    }
    return s;
  }

  /** An optional string field (at most 64 characters), or null when absent. */
  public String optionalString(String name) {
    Object value = fields.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.length() > 64) {
      throw badRequest("field " + name + " must be a string of at most 64 characters");
    }
    return s;
  }

  /** An optional non-negative integer field, or -1 when absent. */
  public long optionalNonNegative(String name) {
    if (!fields.containsKey(name) || fields.getValue(name) == null) {
      return -1;
    }
    Object value = fields.getValue(name);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0) {
      throw badRequest("field " + name + " must be a non-negative integer");
    }
    return ((Number) value).longValue();
  }

  /** The {@code body} of a publish: any JSON value, but it must be present. */
  public Object body() {
    if (!fields.containsKey("body")) {
      throw badRequest("field body is required");
    }
    return fields.getValue("body");
  }

  public static boolean isValidRoom(String room) {
    int length = room.length();
    if (length == 0 || length > MAX_ROOM_LENGTH) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = room.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
