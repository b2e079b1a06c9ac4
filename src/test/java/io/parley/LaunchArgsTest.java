package io.parley;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's command line: {@code [run] [--conf FILE]}, {@code token USER [options]}, help and version. */
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
  @DisplayName("the usage text shows every command and option")
  void usage() {
    String usage = LaunchArgs.usage();
    assertTrue(usage.contains("[run] [--conf FILE]"));
    assertTrue(usage.contains("token USER"));
    for (String word : new String[] {"run", "token", "help", "version", "--help", "-h", "--version", "--conf FILE",
        "--admin", "--ttl SECONDS", "--rooms PATTERN,...", "--publish PATTERN,...", "PARLEY_"}) {
      assertTrue(usage.contains(word), () -> "usage lacks " + word + ":\n" + usage);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--help", "-h", "help", "token alice --help", "--conf c.json -h", "--bogus --help",
      "help extra"})
  @DisplayName("--help, -h or help, wherever given and whatever else is there: the help command")
  void help(String line) {
    LaunchArgs args = LaunchArgs.parse(line.split(" "));
    assertEquals(LaunchArgs.HELP, args.command());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--version", "version", "run --version", "token --ttl 0 --version"})
  @DisplayName("--version or version, wherever given: the version command")
  void version(String line) {
    assertEquals(LaunchArgs.VERSION, LaunchArgs.parse(line.split(" ")).command());
  }

  @Test
  @DisplayName("--help wins over --version")
  void helpBeforeVersion() {
    assertEquals(LaunchArgs.HELP, LaunchArgs.parse(new String[] {"--version", "--help"}).command());
  }

  @Test
  @DisplayName("the version is pom.xml's, filled in by the build")
  void versionIsThePoms() throws IOException {
    assertEquals(pomVersion(), LaunchArgs.version());
  }

  /** The project's own version: the first version element after its artifactId in pom.xml. */
  static String pomVersion() throws IOException {
    Matcher m = Pattern.compile("<artifactId>parley</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "pom.xml names parley's version");
    return m.group(1);
  }
}
