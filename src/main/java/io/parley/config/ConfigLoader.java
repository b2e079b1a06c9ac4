package io.parley.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the node's configuration in three layers: the built-in defaults, the JSON file from {@code conf/},
 * then environment variables named from each setting's path ({@code http.port} → {@code PARLEY_HTTP_PORT},
 * {@code limits.maxFrameBytes} → {@code PARLEY_LIMITS_MAX_FRAME_BYTES}).
 */
public final class ConfigLoader {

  public static final String ENV_PREFIX = "PARLEY_";
  private static final String DEFAULTS_RESOURCE = "/parley-defaults.json";

  private ConfigLoader() {
  }

  /** Loads defaults, then {@code file} (which must exist when given), then the environment. */
  public static JsonObject load(Path file, Map<String, String> env) {
    JsonObject merged = defaults();
    if (file != null) {
      merged = merged.mergeIn(readFile(file), true);
    }
    overlayEnvironment(merged, ENV_PREFIX, env);
    return merged;
  }

  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + DEFAULTS_RESOURCE + " on the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read configuration file " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("configuration file " + file + " is not a JSON object: " + e.getMessage(), e);
    }
  }

  /** Replaces every leaf whose environment variable is set, parsed to the leaf's type. */
  static void overlayEnvironment(JsonObject node, String prefix, Map<String, String> env) {
    for (String key : node.fieldNames().toArray(String[]::new)) {
      Object value = node.getValue(key);
      String name = prefix + envSegment(key);
      if (value instanceof JsonObject child) {
        overlayEnvironment(child, name + "_", env);
        continue;
      }
      String raw = env.get(name);
      if (raw != null) {
        node.put(key, parse(name, raw, value));
      }
    }
  }

  /** Every environment variable that sets a setting, e.g. {@code PARLEY_HTTP_PORT}. */
  public static Set<String> environmentNames() {
    Set<String> names = new TreeSet<>();
    collectNames(defaults(), ENV_PREFIX, names);
    return names;
  }

  private static void collectNames(JsonObject node, String prefix, Set<String> names) {
    for (String key : node.fieldNames()) {
      String name = prefix + envSegment(key);
      if (node.getValue(key) instanceof JsonObject child) {
        collectNames(child, name + "_", names);
      } else {
        names.add(name);
      }
    }
  }

  /** camelCase → CAMEL_CASE. */
  static String envSegment(String key) {
    return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  private static Object parse(String name, String raw, Object current) {
    String text = raw.trim();
    try {
      if (current instanceof Boolean) {
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("expected true or false");
        }
        return Boolean.parseBoolean(text);
      }
      if (current instanceof Integer || current instanceof Long) {
        return Long.parseLong(text); // range is checked by the typed reader (Settings), never truncated
      }
      if (current instanceof Number) {
        return Double.parseDouble(text); // defaults written as 1.0 accept fractions
      }
      if (current instanceof JsonArray && text.startsWith("[")) {
        try {
          return new JsonArray(text); // a list of objects (history.rooms) is given as JSON
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("expected a JSON list: " + e.getMessage(), e);
        }
      }
      if (current instanceof JsonArray) {
        JsonArray list = new JsonArray();
        Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(list::add);
        return list;
      }
      return raw;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("environment variable " + name + "=" + raw + " is invalid: " + e.getMessage(), e);
    }
  }
}
