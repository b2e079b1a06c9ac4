package io.parley.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inbound text frames to requests: every bad input is a bad_request ProtocolException, never anything else. */
class RequestParserTest {

  @Test
  @DisplayName("a valid request: type, string id and every field")
  void valid() {
    Request request = RequestParser.parse("{\"type\":\"join\",\"id\":\"j-1\",\"room\":\"lobby\",\"since\":4}");
    assertEquals("join", request.type());
    assertEquals("j-1", request.id());
    assertEquals("lobby", request.room());
    assertEquals(4, request.optionalNonNegative("since"));
    assertEquals(new JsonObject().put("type", "join").put("id", "j-1").put("room", "lobby").put("since", 4),
        request.fields());
  }

  @Test
  @DisplayName("unknown fields are kept, whitespace around the object is fine, no id means a null id")
  void lenient() {
    Request request = RequestParser.parse("\n  {\"type\":\"ping\",\"future\":{\"x\":[1,2]}}  \n");
    assertEquals("ping", request.type());
    assertNull(request.id());
    assertEquals(new JsonObject().put("x", new JsonArray().add(1).add(2)), request.fields().getJsonObject("future"));
    assertNull(RequestParser.parse("{\"type\":\"ping\",\"id\":null}").id());
  }

  @Test
  @DisplayName("integer ids become Long, whatever their size within long range")
  void integerIds() {
    assertEquals(7L, RequestParser.parse("{\"type\":\"ping\",\"id\":7}").id());
    assertEquals(0L, RequestParser.parse("{\"type\":\"ping\",\"id\":0}").id());
    assertEquals(-3L, RequestParser.parse("{\"type\":\"ping\",\"id\":-3}").id());
    assertEquals(Long.MAX_VALUE, RequestParser.parse("{\"type\":\"ping\",\"id\":" + Long.MAX_VALUE + "}").id());
  }

  @Test
  @DisplayName("string ids of 0 to 64 characters are kept as they are")
  void stringIds() {
    assertEquals("", RequestParser.parse("{\"type\":\"ping\",\"id\":\"\"}").id());
    String longest = "i".repeat(64);
    assertEquals(longest, RequestParser.parse("{\"type\":\"ping\",\"id\":\"" + longest + "\"}").id());
    assertEquals("é☃", RequestParser.parse("{\"type\":\"ping\",\"id\":\"é☃\"}").id());
  }

  @ParameterizedTest(name = "id {0}")
  @ValueSource(strings = {"\"iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii\"", "1.5", "1e3", "true",
      "[1]", "{\"n\":1}", "99999999999999999999"})
  @DisplayName("an id longer than 64, a fraction, a boolean, an array, an object, beyond long: bad_request, not echoed")
  void invalidIds(String id) {
    ProtocolException e = badRequest("{\"type\":\"ping\",\"id\":" + id + "}");
    assertEquals("field id must be a string of at most 64 characters or an integer", e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"id\":\"r1\",\"room\":\"lobby\"}", "{\"id\":\"r1\",\"type\":\"\"}",
      "{\"id\":\"r1\",\"type\":5}", "{\"id\":\"r1\",\"type\":null}", "{\"id\":\"r1\",\"type\":[\"join\"]}"})
  @DisplayName("no type (or an empty or non-string one): a Request with a null type that keeps the id for the reply")
  void missingType(String text) {
    Request request = RequestParser.parse(text);
    assertNull(request.type());
    assertEquals("r1", request.id());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "   ", "[]", "[{\"type\":\"ping\"}]", "\"ping\"", "42", "null", "true", "ping",
      "<xml/>"})
  @DisplayName("not a JSON object: bad_request")
  void notAnObject(String text) {
    assertEquals("a frame must be one JSON object", badRequest(text).getMessage());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"{", "{\"type\":", "{\"type\":\"ping\"", "{type:\"ping\"}", "{\"type\":'ping'}",
      "{\"type\":\"ping\",}", "{\"a\":NaN}", "{\"a\":01}", "{\"type\":\"ping\"} trailing", "{}{}"})
  @DisplayName("invalid JSON that starts like an object: bad_request")
  void invalidJson(String text) {
    assertEquals("invalid JSON", badRequest(text).getMessage());
  }

  @Test
  @DisplayName("100k nested arrays: bad_request, no StackOverflowError")
  void deepArrays() {
    badRequest("{\"a\":" + "[".repeat(100_000));
    badRequest("{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
  }

  @Test
  @DisplayName("100k nested objects: bad_request, no StackOverflowError")
  void deepObjects() {
    badRequest("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000));
  }

  @Test
  @DisplayName("a number of 100k digits (integer or fraction): bad_request, no parsing blow-up")
  void hugeNumbers() {
    badRequest("{\"type\":\"ping\",\"n\":1" + "0".repeat(100_000) + "}");
    badRequest("{\"type\":\"ping\",\"n\":0." + "1".repeat(100_000) + "}");
    badRequest("{\"type\":\"ping\",\"id\":1" + "0".repeat(100_000) + "}");
  }

  @Test
  @DisplayName("a huge exponent never throws anything but a ProtocolException")
  void hugeExponent() {
    for (String text : new String[] {"{\"type\":\"ping\",\"n\":1e999999999}", "{\"type\":\"ping\",\"n\":-1e-999999999}",
        "{\"type\":\"ping\",\"id\":1e999999999}"}) {
      try {
        RequestParser.parse(text);
      } catch (ProtocolException e) {
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lobby", "a", "A.b_c:d-9", "dm:alice:bob", "...", "0123456789"})
  @DisplayName("room(): 1 to 128 characters of [A-Za-z0-9._:-]")
  void validRooms(String room) {
    assertEquals(room, request(new JsonObject().put("room", room)).room());
    assertTrue(Request.isValidRoom(room));
  }

  @Test
  @DisplayName("room(): 128 characters accepted, 129 rejected")
  void roomLength() {
    assertEquals(128, request(new JsonObject().put("room", "r".repeat(128))).room().length());
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> request(new JsonObject().put("room", "r".repeat(129))).room());
    assertEquals("room must be 1 to 128 characters of [A-Za-z0-9._:-]", e.getMessage());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "lob by", "lobby/1", "lobby*", "lobbé", "lobby\n", "a,b", "room#1", "\"lobby\"",
      "\u0000"})
  @DisplayName("room(): other characters, or none, are bad_request")
  void invalidRooms(String room) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> request(new JsonObject().put("room", room)).room());
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals("room must be 1 to 128 characters of [A-Za-z0-9._:-]", e.getMessage());
    assertFalse(Request.isValidRoom(room));
  }

  @Test
  @DisplayName("room(): missing or not a string is bad_request")
  void roomMissing() {
    for (JsonObject fields : new JsonObject[] {new JsonObject(), new JsonObject().put("room", 5),
        new JsonObject().putNull("room"), new JsonObject().put("room", new JsonArray().add("lobby"))}) {
      ProtocolException e = assertThrows(ProtocolException.class, () -> request(fields).room());
      assertEquals("field room is required and must be a string", e.getMessage());
    }
  }

  @Test
  @DisplayName("optionalNonNegative: -1 when absent or null, the value when a non-negative integer")
  void optionalNonNegative() {
    assertEquals(-1, request(new JsonObject()).optionalNonNegative("since"));
    assertEquals(-1, request(new JsonObject().putNull("since")).optionalNonNegative("since"));
    assertEquals(0, request(new JsonObject().put("since", 0)).optionalNonNegative("since"));
    assertEquals(42, request(new JsonObject().put("since", 42)).optionalNonNegative("since"));
    assertEquals(Long.MAX_VALUE, RequestParser.parse("{\"since\":" + Long.MAX_VALUE + "}").optionalNonNegative("since"));
  }

  @ParameterizedTest(name = "since {0}")
  @ValueSource(strings = {"-1", "1.5", "\"3\"", "true", "[1]", "{}", "99999999999999999999"})
  @DisplayName("optionalNonNegative: negative, fractional, non-numeric or beyond long is bad_request")
  void optionalNonNegativeInvalid(String value) {
    Request request = RequestParser.parse("{\"type\":\"join\",\"since\":" + value + "}");
    ProtocolException e = assertThrows(ProtocolException.class, () -> request.optionalNonNegative("since"));
    assertEquals("field since must be a non-negative integer", e.getMessage());
  }

  @Test
  @DisplayName("requiredString and body: present and well-typed, else bad_request")
  void requiredFields() {
    Request request = RequestParser.parse("{\"type\":\"auth\",\"token\":\"t\",\"body\":null}");
    assertEquals("t", request.requiredString("token"));
    assertNull(request.body());
    assertEquals("field token is required and must be a non-empty string",
        assertThrows(ProtocolException.class, () -> request(new JsonObject().put("token", "")).requiredString("token"))
            .getMessage());
    assertEquals("field token is required and must be a non-empty string",
        assertThrows(ProtocolException.class, () -> request(new JsonObject().put("token", 1)).requiredString("token"))
            .getMessage());
    assertEquals("field body is required",
        assertThrows(ProtocolException.class, () -> request(new JsonObject()).body()).getMessage());
  }

  /** Parsing must fail with exactly a bad_request ProtocolException (assertThrows fails on any other throwable). */
  private static ProtocolException badRequest(String text) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> RequestParser.parse(text));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    return e;
  }

  private static Request request(JsonObject fields) {
    return new Request("join", null, fields);
  }
}
