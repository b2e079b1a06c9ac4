package io.parley.gatling;

import java.util.Arrays;
import java.util.List;

/** Reads {@code -Dname=value} system properties, naming the property when a value is wrong. */
final class Props {

  private Props() {}

  static String text(String name, String fallback) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  static int positive(String name, int fallback) {
    String raw = text(name, Integer.toString(fallback));
    try {
      int value = Integer.parseInt(raw);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the property name, which the JDK message lacks
    }
    throw new IllegalArgumentException("-D" + name + " must be a positive integer, got '" + raw + "'");
  }

  /** A comma-separated list, blanks dropped. */
  static List<String> list(String name, String fallback) {
    return Arrays.stream(text(name, fallback).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
