package io.parley.deploy;

import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.testing.ParleyProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dev-token endpoint (a token for anyone who asks) exists only on a node that listens on loopback: the demo
 * configuration run with the Docker image's environment (every interface) refuses to start, naming the setting.
 */
class DevTokenLoopbackTest {

  private static final Pattern DOCKER_ENV = Pattern.compile("(PARLEY_[A-Z0-9_]+)=(\\S+)");

  /** The PARLEY_ variables the Dockerfile's ENV lines set. */
  static Map<String, String> dockerEnvironment() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile")).replace("\\\n", " ");
    Map<String, String> env = new TreeMap<>();
    for (String line : dockerfile.lines().filter(l -> l.startsWith("ENV ")).toList()) {
      Matcher m = DOCKER_ENV.matcher(line);
      while (m.find()) {
        env.put(m.group(1), m.group(2).replace("\"", ""));
      }
    }
    return env;
  }

  @Test
  @DisplayName("a real process: run --conf conf/local.json with the Docker image's environment exits 2, naming the setting")
  void dockerImageWithDemoConfig() throws Exception {
    Map<String, String> env = dockerEnvironment();
    assertEquals("0.0.0.0", env.get("PARLEY_HTTP_HOST"), "the image listens on every interface: " + env);
    try (ParleyProcess process = ParleyProcess.start(List.of("run", "--conf", "conf/local.json"), env)) {
      assertEquals(2, process.awaitExit(Duration.ofSeconds(30)), process::output);
      String output = process.output();
      assertTrue(output.contains("auth.devTokenEndpoint") && output.contains("loopback")
          && output.contains("0.0.0.0"), output);
      assertTrue(!output.contains("node_ready"), output);
    }
  }

  @Test
  @DisplayName("conf/local.json as it is (127.0.0.1) is accepted")
  void demoOnLoopback() {
    assertDoesNotThrow(() -> ParleyConfig.from(ConfigLoader.load(Path.of("conf", "local.json"), Map.of())));
  }

  @ParameterizedTest(name = "http.host {0}: accepted")
  @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"})
  void loopbackAccepted(String host) {
    assertDoesNotThrow(() -> ParleyConfig.from(withDevTokens(host)));
  }

  @ParameterizedTest(name = "http.host {0}: refused")
  @ValueSource(strings = {"0.0.0.0", "::", "10.0.0.5", "chat.example.com", "localhost.example.com"})
  void elsewhereRefused(String host) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(withDevTokens(host)));
    assertTrue(e.getMessage().contains("auth.devTokenEndpoint") && e.getMessage().contains(host), e.getMessage());
  }

  private static JsonObject withDevTokens(String host) {
    JsonObject json = ConfigLoader.defaults();
    json.getJsonObject("auth").put("devTokenEndpoint", true);
    json.getJsonObject("auth").getJsonObject("jwt").put("secret", "x".repeat(40));
    json.getJsonObject("http").put("host", host);
    return json;
  }
}
