package io.parley.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Reads the layered configuration by dotted path with strict types: a setting of the wrong type, an integer out
 * of range or a fraction where a whole number belongs is refused with the path in the message, never truncated.
 */
final class Settings {

  private final JsonObject root;

  Settings(JsonObject root) {
    this.root = root;
  }

  /** A string; null (a setting explicitly unset) reads as empty. */
  String string(String path) {
    Object value = value(path);
    if (value == null) {
      return "";
    }
    if (!(value instanceof String s)) {
      throw invalid(path, "a string");
    }
    return s;
  }

  boolean bool(String path) {
    Object value = value(path);
    if (!(value instanceof Boolean b)) {
      throw invalid(path, "true or false");
    }
    return b;
  }

  int integer(String path) {
    long value = whole(path);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw invalid(path, "an integer within " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE);
    }
    return (int) value;
  }

  long whole(String path) {
    Object value = value(path);
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < 9.0e15) {
      return n.longValue();
    }
    throw invalid(path, "a whole number");
  }

  double decimal(String path) {
    Object value = value(path);
    if (!(value instanceof Number n) || Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
      throw invalid(path, "a number");
    }
    return n.doubleValue();
  }

  List<String> strings(String path) {
    Object value = value(path);
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      throw invalid(path, "a list of strings");
    }
    return array.stream().map(String.class::cast).toList();
  }

  /** A list of objects; each element is read with a {@link Settings} of its own. */
  List<JsonObject> objects(String path) {
    Object value = value(path);
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(JsonObject.class::isInstance)) {
      throw invalid(path, "a list of objects");
    }
    return array.stream().map(JsonObject.class::cast).toList();
  }

  /** Whether the (top-level) key is present. */
  boolean has(String key) {
    return root.containsKey(key);
  }

  private Object value(String path) {
    JsonObject node = root;
    String[] keys = path.split("\\.");
    for (int i = 0; i < keys.length - 1; i++) {
      Object child = node.getValue(keys[i]);
      if (!(child instanceof JsonObject object)) {
        throw invalid(String.join(".", java.util.Arrays.copyOf(keys, i + 1)), "an object");
      }
      node = object;
    }
    return node.getValue(keys[keys.length - 1]);
  }

  private static IllegalArgumentException invalid(String path, String expected) {
    return new IllegalArgumentException("invalid configuration: " + path + " must be " + expected);
  }
}
