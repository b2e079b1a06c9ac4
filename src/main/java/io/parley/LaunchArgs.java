package io.parley;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The command line: {@code [run] [--conf FILE]},
 * {@code token USER [--admin] [--ttl SECONDS] [--rooms P,...] [--publish P,...] [--conf FILE]},
 * {@code help} ({@code --help}, {@code -h}) or {@code version} ({@code --version}).
 */
record LaunchArgs(String command, Path conf, List<String> positional, boolean admin, long ttlSeconds,
                  List<String> rooms, List<String> publish) {

  static final Path DEFAULT_CONF = Path.of("conf", "parley.json");
  static final long DEFAULT_TTL_SECONDS = 3600;
  static final String HELP = "help";
  static final String VERSION = "version";

  static LaunchArgs parse(String[] args) {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    // asked for anywhere, help and version win over every other argument, valid or not: they need no configuration
    if (rest.contains("--help") || rest.contains("-h")) {
      return only(HELP);
    }
    if (rest.contains("--version")) {
      return only(VERSION);
    }
    String command = !rest.isEmpty() && !rest.get(0).startsWith("--") ? rest.remove(0) : "run";
    Path conf = null;
    boolean admin = false;
    long ttl = DEFAULT_TTL_SECONDS;
    List<String> rooms = null;
    List<String> publish = null;
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      switch (arg) {
        case "--conf" -> conf = Path.of(value(rest, ++i, arg));
        case "--admin" -> admin = true;
        case "--ttl" -> ttl = Long.parseLong(value(rest, ++i, arg));
        case "--rooms" -> rooms = List.of(value(rest, ++i, arg).split(","));
        case "--publish" -> publish = List.of(value(rest, ++i, arg).split(","));
        default -> {
          if (arg.startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + arg);
          }
          positional.add(arg);
        }
      }
    }
    if (ttl <= 0) {
      throw new IllegalArgumentException("--ttl must be > 0");
    }
    return new LaunchArgs(command, conf, positional, admin, ttl, rooms, publish);
  }

  private static LaunchArgs only(String command) {
    return new LaunchArgs(command, null, List.of(), false, DEFAULT_TTL_SECONDS, null, null);
  }

  /** The configuration file: the one named, else conf/parley.json when present, else built-in defaults only. */
  Path configFile() {
    if (conf != null) {
      return conf;
    }
    return Files.exists(DEFAULT_CONF) ? DEFAULT_CONF : null;
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(index);
  }

  static String usage() {
    return """
        usage:
          java -jar parley.jar [run] [--conf FILE]
          java -jar parley.jar token USER [--admin] [--ttl SECONDS] [--rooms PATTERN,...] [--publish PATTERN,...] [--conf FILE]
          java -jar parley.jar help | --help | -h
          java -jar parley.jar version | --version

        commands:
          run       start a node; SIGTERM drains it (the default command)
          token     print an HS256 JWT for USER, signed with the configured secret (auth.jwt.secret)
          help      print this text
          version   print parley's version

        options:
          --conf FILE             the configuration file (default: conf/parley.json when it exists, else built-in defaults)
          --admin                 token: add "admin": true, for the server HTTP API (/api)
          --ttl SECONDS           token: lifetime, the token's exp (default 3600)
          --rooms PATTERN,...     token: the rooms claim, rooms the user may join, read and publish to; * matches any
                                  run of characters (default: no claim, all rooms)
          --publish PATTERN,...   token: the publish claim, rooms the user may publish to without joining (default: none)

        Settings come from FILE, overridden by PARLEY_* environment variables (docs/CONFIG.md).""";
  }

  /** The project's version, from {@code parley-version.properties}, which the build fills in from pom.xml. */
  static String version() {
    try (InputStream in = LaunchArgs.class.getResourceAsStream("/parley-version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      String version = properties.getProperty("version", "");
      // not filtered (run from sources without Maven's resources phase): say so rather than print a placeholder
      return version.isEmpty() || version.startsWith("${") ? "unknown" : version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
