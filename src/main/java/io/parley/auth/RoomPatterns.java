package io.parley.auth;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A list of room-name patterns from a JWT claim, where {@code *} matches any run of characters.
 * A claim that is absent allows everything; a present but empty list allows nothing (deny by default).
 */
public final class RoomPatterns {

  public static final RoomPatterns ANY = new RoomPatterns(null);
  public static final RoomPatterns NONE = new RoomPatterns(List.of());

  private final List<Pattern> patterns;

  private RoomPatterns(List<Pattern> patterns) {
    this.patterns = patterns;
  }

  public static RoomPatterns of(List<String> globs) {
    return new RoomPatterns(globs.stream().map(RoomPatterns::compile).toList());
  }

  private static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder();
    String[] literals = glob.split("\\*", -1);
    for (int i = 0; i < literals.length; i++) {
      if (i > 0) {
        regex.append(".*");
      }
      if (!literals[i].isEmpty()) {
        regex.append(Pattern.quote(literals[i]));
      }
    }
    return Pattern.compile(regex.toString());
  }

  public boolean allows(String room) {
    if (patterns == null) {
      return true;
    }
    for (Pattern pattern : patterns) {
      if (pattern.matcher(room).matches()) {
        return true;
      }
    }
    return false;
  }
}
