package io.parley.gatling;

import java.util.ArrayList;
import java.util.List;

/** The two bits of JSON that need real escaping here: quoting a string, and reading SockJS's array of strings. */
final class JsonStrings {

  private JsonStrings() {}

  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** Parses {@code ["a","b",...]}; throws on anything else, so a garbled frame fails the check loudly. */
  static List<String> parseStringArray(String json) {
    Reader reader = new Reader(json);
    List<String> items = new ArrayList<>();
    reader.expect('[');
    if (!reader.skipIf(']')) {
      do {
        items.add(reader.string());
      } while (reader.skipIf(','));
      reader.expect(']');
    }
    reader.expectEnd();
    return items;
  }

  private static final class Reader {
    private final String s;
    private int pos;

    Reader(String s) {
      this.s = s;
    }

    void expect(char c) {
      if (!skipIf(c)) {
        throw error("expected '" + c + "'");
      }
    }

    boolean skipIf(char c) {
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    void expectEnd() {
      skipSpace();
      if (pos != s.length()) {
        throw error("trailing characters");
      }
    }

    String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (pos < s.length()) {
        char c = s.charAt(pos++);
        if (c == '"') {
          return out.toString();
        }
        out.append(c == '\\' ? escaped() : c);
      }
      throw error("unterminated string");
    }

    private char escaped() {
      if (pos >= s.length()) {
        throw error("dangling escape");
      }
      char c = s.charAt(pos++);
      return switch (c) {
        case '"', '\\', '/' -> c;
        case 'b' -> '\b';
        case 'f' -> '\f';
        case 'n' -> '\n';
        case 'r' -> '\r';
        case 't' -> '\t';
        case 'u' -> unicode();
        default -> throw error("bad escape \\" + c);
      };
    }

    private char unicode() {
      if (pos + 4 > s.length()) {
        throw error("short \\u escape");
      }
      char c = (char) Integer.parseInt(s.substring(pos, pos + 4), 16);
      pos += 4;
      return c;
    }

    private void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at " + pos + " in " + s);
    }
  }
}
