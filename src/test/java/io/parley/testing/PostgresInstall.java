package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The machine's PostgreSQL programs and how to run them. PostgreSQL refuses to run as root, so when this JVM is root
 * (as in CI) they run as the {@code postgres} user through {@code runuser}, and the folders they write are its own.
 */
final class PostgresInstall {

  static final String INSTALL_HINT = "PostgreSQL's server programs (initdb, pg_ctl) were found neither in"
      + " /usr/lib/postgresql/<version>/bin nor on PATH; the store tests need a real server. Install it:"
      + " `sudo apt-get install postgresql` (Debian, Ubuntu; .ci/run does this), `sudo dnf install postgresql-server`"
      + " (Fedora) or `brew install postgresql@15` (macOS).";
  private static final String SERVER_OS_USER = "postgres";
  private static final int TAIL_LINES = 30;

  private final Path bin;
  private final boolean asRoot;

  private PostgresInstall(Path bin, boolean asRoot) {
    this.bin = bin;
    this.asRoot = asRoot;
  }

  /** The installation this machine has; IllegalStateException saying how to install one if none. */
  static PostgresInstall find() {
    return new PostgresInstall(binDir(Path.of("/usr/lib/postgresql"), pathDirs()),
        "root".equals(System.getProperty("user.name")));
  }

  /**
   * Debian and Ubuntu keep the server programs off PATH, one folder per major version (the newest is taken);
   * elsewhere they are on PATH. Links are resolved (/usr/local/bin/pg_ctl may be one): pg_ctl runs the postgres
   * next to its real self.
   */
  static Path binDir(Path debianRoot, List<Path> pathDirs) {
    List<Path> candidates = new ArrayList<>();
    if (Files.isDirectory(debianRoot)) {
      try (Stream<Path> versions = Files.list(debianRoot)) {
        versions.filter(version -> version.getFileName().toString().matches("\\d+(\\.\\d+)?"))
            .sorted(Comparator.comparingDouble((Path version) -> Double.parseDouble(version.getFileName().toString()))
                .reversed())
            .forEach(version -> candidates.add(version.resolve("bin")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    candidates.addAll(pathDirs);
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate.resolve("initdb")) && Files.isExecutable(candidate.resolve("pg_ctl"))) {
        try {
          return candidate.resolve("initdb").toRealPath().getParent();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException(INSTALL_HINT);
  }

  private static List<Path> pathDirs() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(java.io.File.pathSeparator)).filter(entry -> !entry.isEmpty()).map(Path::of).toList();
  }

  String program(String name) {
    return bin.resolve(name).toString();
  }

  /** A fresh temp directory with the given subfolders, all owned by the user the server runs as. */
  Path createDirectory(String prefix, String... subfolders) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      for (String subfolder : subfolders) {
        Files.createDirectory(dir.resolve(subfolder));
      }
      if (asRoot) {
        UserPrincipal owner = serverUser(dir);
        Files.setOwner(dir, owner);
        for (String subfolder : subfolders) {
          Files.setOwner(dir.resolve(subfolder), owner);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the server's temp directory", e);
    }
  }

  private static UserPrincipal serverUser(Path dir) throws IOException {
    try {
      return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_OS_USER);
    } catch (UserPrincipalNotFoundException e) {
      deleteRecursively(dir);
      throw new IllegalStateException("this JVM runs as root, which PostgreSQL refuses, and there is no '"
          + SERVER_OS_USER + "' user to run it as (Debian's postgresql package creates it)", e);
    }
  }

  /**
   * Runs a program as the server's user in {@code dir}, its output to {@code dir/command.log}: pg_ctl's server keeps
   * no pipe of ours open, so waiting for the program is enough. If it fails: IllegalStateException with the end of
   * its output and the {@code diagnostics}.
   */
  void run(Path dir, Duration timeout, Supplier<String> diagnostics, List<String> program) {
    List<String> command = new ArrayList<>();
    if (asRoot) {
      command.addAll(List.of("runuser", "-u", SERVER_OS_USER, "--"));
    }
    command.addAll(program);
    Path output = dir.resolve("command.log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    // PGPORT, PGDATA and the like of whoever runs the tests must not steer this server
    builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
    builder.environment().put("LC_ALL", "C");
    String failure;
    try {
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        failure = "still running after " + timeout.toSeconds() + " s";
      } else if (process.exitValue() != 0) {
        failure = "failed with exit code " + process.exitValue();
      } else {
        return;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
    throw new IllegalStateException(String.join(" ", command) + " " + failure + "\n--- its output:\n" + tail(output)
        + diagnostics.get());
  }

  /** The last lines of a log, for an exception's message. */
  static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(none: " + e + ")";
    }
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("PostgresInstall: cannot delete " + dir + ": " + e);
    }
  }
}
