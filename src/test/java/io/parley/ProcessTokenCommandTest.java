package io.parley;

import io.parley.auth.Principal;
import io.parley.auth.TokenVerifier;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.config.ParleyConfig.AuthConfig;
import io.parley.testing.ParleyProcess;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code parley token USER ...} as a real process: it prints one JWT that a node with the same secret accepts. */
@ExtendWith(VertxExtension.class)
class ProcessTokenCommandTest {

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);

  @TempDir
  Path dir;
  private Vertx vertx;
  private ParleyProcess process;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void kill() {
    if (process != null) {
      process.close(); // destroyForcibly if still running
    }
  }

  @Test
  @DisplayName("token alice --ttl 60 --rooms 'team-*': one JWT on stdout, accepted with the same secret")
  void mintsAcceptedToken() throws IOException {
    long before = System.currentTimeMillis() / 1000;
    process = token(Map.of("PARLEY_AUTH_JWT_SECRET", TestNodes.SECRET), "alice", "--ttl", "60", "--rooms", "team-*");
    assertEquals(0, process.awaitExit(EXIT_TIMEOUT), process::output);
    List<String> stdout = process.stdout();
    assertEquals(1, stdout.size(), process::output);
    String jwt = stdout.get(0);
    assertTrue(jwt.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), jwt);

    Principal alice = verify(jwt, TestNodes.SECRET);
    assertEquals("alice", alice.user());
    assertTrue(alice.mayJoin("team-red"));
    assertFalse(alice.mayJoin("lobby"));
    assertFalse(alice.mayPublishWithoutJoining("team-red"));
    assertFalse(alice.admin());
    assertTrue(alice.expiresAt() >= before + 60 && alice.expiresAt() <= before + 60 + EXIT_TIMEOUT.toSeconds(),
        () -> "exp " + alice.expiresAt() + ", minted after " + before);
  }

  @Test
  @DisplayName("token --admin --publish: the claims a backend needs")
  void adminToken() throws IOException {
    process = token(Map.of("PARLEY_AUTH_JWT_SECRET", TestNodes.SECRET), "backend", "--admin", "--publish", "news,ops-*");
    assertEquals(0, process.awaitExit(EXIT_TIMEOUT), process::output);
    Principal backend = verify(process.stdout().get(0), TestNodes.SECRET);
    assertTrue(backend.admin());
    assertTrue(backend.mayJoin("anything"));
    assertTrue(backend.mayPublishWithoutJoining("news"));
    assertTrue(backend.mayPublishWithoutJoining("ops-alerts"));
    assertFalse(backend.mayPublishWithoutJoining("lobby"));
  }

  @Test
  @DisplayName("a node with another secret refuses the minted token")
  void otherSecretRefuses() throws IOException {
    process = token(Map.of("PARLEY_AUTH_JWT_SECRET", TestNodes.SECRET), "alice");
    assertEquals(0, process.awaitExit(EXIT_TIMEOUT), process::output);
    String jwt = process.stdout().get(0);
    Throwable refused = TestNodes.await(new TokenVerifier(vertx, auth(), "another-secret-0123456789-abcdefghijklmn")
        .verify(jwt).transform(result -> io.vertx.core.Future.succeededFuture(result.cause())), Duration.ofSeconds(5));
    assertTrue(refused instanceof TokenVerifier.InvalidToken, String.valueOf(refused));
  }

  @Test
  @DisplayName("token without a secret: exit code 2, says how to set PARLEY_AUTH_JWT_SECRET, prints no token")
  void noSecret() throws IOException {
    process = token(Map.of(), "alice");
    assertEquals(2, process.awaitExit(EXIT_TIMEOUT), process::output);
    assertTrue(String.join("\n", process.stderr()).contains("set PARLEY_AUTH_JWT_SECRET"), process::output);
    assertEquals(List.of(), process.stdout());
  }

  @Test
  @DisplayName("token without a user, or an unknown option: exit code 2 with the usage")
  void usageErrors() throws IOException {
    process = token(Map.of("PARLEY_AUTH_JWT_SECRET", TestNodes.SECRET));
    assertEquals(2, process.awaitExit(EXIT_TIMEOUT), process::output);
    String stderr = String.join("\n", process.stderr());
    assertTrue(stderr.contains("token needs exactly one USER") && stderr.contains("usage:"), stderr);
    assertEquals(List.of(), process.stdout());

    process = token(Map.of("PARLEY_AUTH_JWT_SECRET", TestNodes.SECRET), "alice", "--forever");
    assertEquals(2, process.awaitExit(EXIT_TIMEOUT), process::output);
    assertTrue(String.join("\n", process.stderr()).contains("unknown option --forever"), process::output);
  }

  /** {@code ParleyMain token <args> --conf <a conf without secret>}: the secret comes from env only. */
  private ParleyProcess token(Map<String, String> env, String... args) throws IOException {
    Path conf = dir.resolve("parley.json");
    Files.writeString(conf, "{\"auth\":{\"jwt\":{\"secret\":\"\"}}}");
    List<String> command = new java.util.ArrayList<>(List.of("token"));
    command.addAll(List.of(args));
    command.addAll(List.of("--conf", conf.toString()));
    return ParleyProcess.start(command, env);
  }

  private Principal verify(String jwt, String secret) {
    return TestNodes.await(new TokenVerifier(vertx, auth(), secret).verify(jwt), Duration.ofSeconds(5));
  }

  /** The defaults a node verifies with: exp required, 5 s leeway. */
  private static AuthConfig auth() {
    return ParleyConfig.from(ConfigLoader.defaults()).auth();
  }
}
