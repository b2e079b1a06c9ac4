package io.parley.gatling;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the client frames of PROTOCOL.md and reads single fields out of server frames.
 *
 * <p>Fields are read by pattern, not parsed, to keep the load generator free of a JSON library. That is sound
 * because the only nested value, {@code body}, is what this simulation published ({@code {"marker":"..."}}),
 * so a top-level name like {@code "seq"} cannot also appear inside it. (Other publishers sharing the room must
 * keep such names out of their bodies; the README says so.)
 */
final class Frames {

  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private Frames() {}

  static String auth(String id, String token) {
    return "{\"type\":\"auth\",\"id\":" + JsonStrings.quote(id) + ",\"token\":" + JsonStrings.quote(token) + "}";
  }

  static String join(String id, String room) {
    return roomRequest("join", id, room);
  }

  static String leave(String id, String room) {
    return roomRequest("leave", id, room);
  }

  static String publish(String id, String room, String marker) {
    return "{\"type\":\"publish\",\"id\":" + JsonStrings.quote(id) + ",\"room\":" + JsonStrings.quote(room)
        + ",\"body\":{\"marker\":" + JsonStrings.quote(marker) + "}}";
  }

  static String ping(String id) {
    return "{\"type\":\"ping\",\"id\":" + JsonStrings.quote(id) + "}";
  }

  private static String roomRequest(String type, String id, String room) {
    return "{\"type\":\"" + type + "\",\"id\":" + JsonStrings.quote(id) + ",\"room\":" + JsonStrings.quote(room) + "}";
  }

  /** A string field, or null when absent (or not a string). Values here never contain escapes. */
  static String text(String frame, String name) {
    Matcher m = pattern(name, "\"([^\"\\\\]*)\"").matcher(frame);
    return m.find() ? m.group(1) : null;
  }

  /** An integer field, or -1 when absent: every number read here (seq) is non-negative. */
  static long number(String frame, String name) {
    Matcher m = pattern(name, "(\\d+)").matcher(frame);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static Pattern pattern(String name, String value) {
    // Cached: the tracker reads several fields of every inbound frame, hundreds of thousands per run.
    return PATTERNS.computeIfAbsent(
        name + value, key -> Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*" + value));
  }
}
