package io.parley;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's command line: {@code [run] [--conf FILE]} and {@code token USER [options]}. */
class LaunchArgsTest {

  @Test
  @DisplayName("no arguments: run, no --conf, token defaults")
  void noArguments() {
    LaunchArgs args = LaunchArgs.parse(new String[0]);
    assertEquals("run", args.command());
    assertNull(args.conf());
    assertEquals(List.of(), args.positional());
    assertFalse(args.admin());
    assertEquals(LaunchArgs.DEFAULT_TTL_SECONDS, args.ttlSeconds());
    assertNull(args.rooms());
    assertNull(args.publish());
  }

  @Test
  @DisplayName("run is the default command; an explicit run is the same")
  void explicitRun() {
    assertEquals(LaunchArgs.parse(new String[0]), LaunchArgs.parse(new String[] {"run"}));
  }

  @Test
  @DisplayName("--conf FILE, with or without run, names the configuration file")
  void conf() {
    LaunchArgs implicit = LaunchArgs.parse(new String[] {"--conf", "conf/local.json"});
    assertEquals("run", implicit.command());
    assertEquals(Path.of("conf/local.json"), implicit.conf());
    assertEquals(Path.of("conf/local.json"), implicit.configFile());
    assertEquals(implicit, LaunchArgs.parse(new String[] {"run", "--conf", "conf/local.json"}));
  }

  @Test
  @DisplayName("token USER --admin --ttl --rooms a,b --publish x")
  void token() {
    LaunchArgs args = LaunchArgs.parse(new String[] {"token", "alice", "--admin", "--ttl", "60", "--rooms", "a,b",
        "--publish", "x"});
    assertEquals("token", args.command());
    assertEquals(List.of("alice"), args.positional());
    assertTrue(args.admin());
    assertEquals(60, args.ttlSeconds());
    assertEquals(List.of("a", "b"), args.rooms());
    assertEquals(List.of("x"), args.publish());
    assertNull(args.conf());
  }

  @Test
  @DisplayName("options may come before the user, and --conf works with token")
  void optionOrder() {
    LaunchArgs args = LaunchArgs.parse(new String[] {"token", "--rooms", "team-*", "--conf", "c.json", "bob"});
    assertEquals(List.of("bob"), args.positional());
    assertEquals(List.of("team-*"), args.rooms());
    assertEquals(Path.of("c.json"), args.conf());
    assertFalse(args.admin());
    assertEquals(LaunchArgs.DEFAULT_TTL_SECONDS, args.ttlSeconds());
  }

  @Test
  @DisplayName("token without a user parses (ParleyMain refuses it), so does any other command name")
  void commandsParseLoosely() {
    assertEquals(List.of(), LaunchArgs.parse(new String[] {"token"}).positional());
    assertEquals("serve", LaunchArgs.parse(new String[] {"serve"}).command());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--bogus", "--CONF", "--", "--admin=true"})
  @DisplayName("an unknown option is rejected, naming it")
  void unknownOption(String option) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LaunchArgs.parse(new String[] {"token", "alice", option}));
    assertEquals("unknown option " + option, e.getMessage());
    IllegalArgumentException first = assertThrows(IllegalArgumentException.class,
        () -> LaunchArgs.parse(new String[] {option}));
    assertEquals("unknown option " + option, first.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--conf", "--ttl", "--rooms", "--publish"})
  @DisplayName("an option that takes a value, given last without one, is rejected")
  void missingValue(String option) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LaunchArgs.parse(new String[] {"token", "alice", option}));
    assertEquals(option + " needs a value", e.getMessage());
  }

  @ParameterizedTest(name = "--ttl {0}")
  @ValueSource(strings = {"0", "-60"})
  @DisplayName("--ttl must be positive")
  void ttlPositive(String ttl) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LaunchArgs.parse(new String[] {"token", "alice", "--ttl", ttl}));
    assertEquals("--ttl must be > 0", e.getMessage());
  }

  @ParameterizedTest(name = "--ttl {0}")
  @ValueSource(strings = {"soon", "1h", "1.5", ""})
  @DisplayName("--ttl that is not an integer is rejected")
  void ttlNotANumber(String ttl) {
    assertThrows(IllegalArgumentException.class, () -> LaunchArgs.parse(new String[] {"token", "alice", "--ttl", ttl}));
  }

  @Test
  @DisplayName("the usage text shows both commands")
  void usage() {
    assertTrue(LaunchArgs.usage().contains("[run] [--conf FILE]"));
    assertTrue(LaunchArgs.usage().contains("token USER"));
  }
}
