package io.parley.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import static io.parley.protocol.ProtocolException.badRequest;

/** Parses one inbound text frame into a {@link Request}, rejecting what PROTOCOL.md calls a bad request. */
public final class RequestParser {

  public static final int MAX_ID_LENGTH = 64;

  private RequestParser() {
  }

  /**
   * @return the request; its type is null when the frame had none, so the error reply can still echo the id
   * @throws ProtocolException with {@code bad_request} when the frame is not a JSON object or its id is invalid
   */
  public static Request parse(String text) {
    JsonObject json = parseObject(text);
    Object id = validId(json.getValue("id"));
    Object type = json.getValue("type");
    return new Request(type instanceof String name && !name.isEmpty() ? name : null, id, json);
  }

  private static JsonObject parseObject(String text) {
    if (!startsWithBrace(text)) {
      throw badRequest("a frame must be one JSON object");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw badRequest("invalid JSON");
    } catch (RuntimeException e) {
      // Jackson's own limits (nesting depth, number length) and anything else undecodable
      throw badRequest("invalid JSON");
    }
  }

  private static boolean startsWithBrace(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c)) {
        return c == '{';
      }
    }
    return false;
  }

  /** A string of at most 64 characters or an integer; anything else is rejected without echoing it. */
  private static Object validId(Object id) {
    if (id == null) {
      return null;
    }
    if (id instanceof String s && s.length() <= MAX_ID_LENGTH) {
      return s;
    }
    if (id instanceof Integer || id instanceof Long) {
      return ((Number) id).longValue();
    }
    throw badRequest("field id must be a string of at most " + MAX_ID_LENGTH + " characters or an integer");
  }
}
