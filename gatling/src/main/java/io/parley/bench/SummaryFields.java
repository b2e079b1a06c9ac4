package io.parley.bench;

import java.util.HashMap;
import java.util.Map;

/** The {@code name=value} words of a child's summary line, read back by the parent to add them up. */
final class SummaryFields {

  private final Map<String, String> values = new HashMap<>();
  private final String line;

  SummaryFields(String line) {
    this.line = line;
    for (String word : line.split(" ")) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        values.putIfAbsent(word.substring(0, eq), word.substring(eq + 1));
      }
    }
  }

  /** The word {@code name=value} as it stood, or "" when the line has no such field. */
  String word(String name) {
    String value = values.get(name);
    return value == null ? "" : " " + name + "=" + value;
  }

  /** The leading number of a value such as {@code 12}, {@code 3.5s} or {@code 70.14ms}; NaN when absent. */
  double number(String name) {
    String value = values.get(name);
    if (value == null) {
      return Double.NaN;
    }
    int end = 0;
    while (end < value.length() && (Character.isDigit(value.charAt(end)) || value.charAt(end) == '.'
        || value.charAt(end) == '-')) {
      end++;
    }
    try {
      return Double.parseDouble(value.substring(0, end));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** The quoted {@code first_failure="..."} at the end of the line, or null. */
  String firstFailure() {
    int at = line.indexOf(" first_failure=");
    return at < 0 ? null : line.substring(at + 1);
  }
}
