package io.parley.auth;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Room-name patterns of the {@code rooms} and {@code publish} claims: {@code *} is the only wildcard. */
class RoomPatternsTest {

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
      "team-*,    team-red,        true",
      "team-*,    team-,           true",
      "team-*,    team-a.b:c_d-9,  true",
      "team-*,    team,            false",
      "team-*,    xteam-red,       false",
      "*-admin,   ops-admin,       true",
      "*-admin,   ops-admin2,      false",
      "a*b*c,     abc,             true",
      "a*b*c,     a1b2c,           true",
      "a*b*c,     a1b2,            false",
      "*,         anything:at.all, true",
      "**,        x,               true",
      "**,        '',              true",
      "a*a,       a,               false",
      "a*a,       aa,              true",
      "ab*bc,     abc,             false",
      "ab*bc,     abbc,            true",
      "a*b*c,     acb,             false",
      "a*b*c,     abbbcbc,         true",
      "*b*b*,     b,               false",
      "*b*b*,     xbyb,            true",
      "*.x.*,     a.x.b.x.c,       true",
      "*.x.*,     .x,              false",
  })
  @DisplayName("* matches any run of characters, including none; the rest must match exactly")
  void glob(String pattern, String room, boolean allowed) {
    assertEquals(allowed, RoomPatterns.of(List.of(pattern)).allows(room));
  }

  @ParameterizedTest(name = "lobby vs {0}")
  @ValueSource(strings = {"lobby2", "xlobby", "Lobby", "lobb", ""})
  @DisplayName("a pattern without * is an exact, case-sensitive match")
  void exact(String other) {
    RoomPatterns lobby = RoomPatterns.of(List.of("lobby"));
    assertTrue(lobby.allows("lobby"));
    assertFalse(lobby.allows(other));
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
      "a.b,       a.b,   true",
      "a.b,       axb,   false",
      "a.*,       a.x,   true",
      "a.*,       ab,    false",
      "room+,     room+, true",
      "room+,     roomm, false",
      "[ab],      a,     false",
      "[ab],      [ab],  true",
      "x?,        x,     false",
      "x|y,       y,     false",
      "^lobby$,   lobby, false",
      "\\Qa\\E*,  a,     false",
      "(a),       a,     false",
  })
  @DisplayName("regex metacharacters in a pattern are literal characters")
  void metacharactersAreLiteral(String pattern, String room, boolean allowed) {
    assertEquals(allowed, RoomPatterns.of(List.of(pattern)).allows(room));
  }

  @Test
  @DisplayName("several patterns: a room is allowed when any one matches")
  void anyOfSeveral() {
    RoomPatterns patterns = RoomPatterns.of(List.of("lobby", "team-*", "dm:alice:*"));
    assertTrue(patterns.allows("lobby"));
    assertTrue(patterns.allows("team-blue"));
    assertTrue(patterns.allows("dm:alice:bob"));
    assertFalse(patterns.allows("dm:bob:alice"));
    assertFalse(patterns.allows("ops"));
  }

  @Test
  @DisplayName("ANY (claim absent) allows every room; NONE and an empty list deny every room")
  void anyAndNone() {
    for (String room : List.of("lobby", "team-red", "*", "")) {
      assertTrue(RoomPatterns.ANY.allows(room), room);
      assertFalse(RoomPatterns.NONE.allows(room), room);
      assertFalse(RoomPatterns.of(List.of()).allows(room), room);
    }
  }
}
