package io.parley;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line: {@code [run] [--conf FILE]} or
 * {@code token USER [--admin] [--ttl SECONDS] [--rooms P,...] [--publish P,...] [--conf FILE]}.
 */
record LaunchArgs(String command, Path conf, List<String> positional, boolean admin, long ttlSeconds,
                  List<String> rooms, List<String> publish) {

  static final Path DEFAULT_CONF = Path.of("conf", "parley.json");
  static final long DEFAULT_TTL_SECONDS = 3600;

  static LaunchArgs parse(String[] args) {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
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
        Settings come from FILE (default conf/parley.json), overridden by PARLEY_* environment variables.""";
  }
}
