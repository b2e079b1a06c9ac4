package io.parley.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three configuration layers (defaults < file < environment) and the start-up validation of ParleyConfig. */
class ConfigLoaderTest {

  private static final String SECRET = "s3cret-value-that-must-never-be-echoed-0123456789";

  @TempDir
  Path dir;

  @Test
  @DisplayName("no file, no environment: the built-in defaults, which make a valid ParleyConfig")
  void defaultsOnly() {
    JsonObject json = ConfigLoader.load(null, Map.of());
    assertEquals(ConfigLoader.defaults(), json);
    ParleyConfig config = ParleyConfig.from(json);
    assertEquals(8080, config.http().port());
    assertEquals("0.0.0.0", config.http().host());
    assertEquals(65536, config.limits().maxFrameBytes());
    assertTrue(config.cluster().members().isEmpty());
    assertTrue(config.auth().requireExp());
  }

  @Test
  @DisplayName("the file overrides the defaults leaf by leaf: siblings it does not name keep their defaults")
  void fileOverDefaults() throws IOException {
    Path file = write("{\"http\":{\"port\":9000},\"limits\":{\"maxFrameBytes\":4096}}");
    ParleyConfig config = ParleyConfig.from(ConfigLoader.load(file, Map.of()));
    assertEquals(9000, config.http().port());
    assertEquals("0.0.0.0", config.http().host());
    assertEquals(4096, config.limits().maxFrameBytes());
    assertEquals(100, config.limits().maxRoomsPerConnection());
  }

  @Test
  @DisplayName("the environment overrides the file, which overrides the defaults")
  void environmentOverFile() throws IOException {
    Path file = write("{\"http\":{\"port\":9000,\"host\":\"127.0.0.1\"}}");
    ParleyConfig config = ParleyConfig.from(ConfigLoader.load(file, Map.of("PARLEY_HTTP_PORT", "9100")));
    assertEquals(9100, config.http().port());
    assertEquals("127.0.0.1", config.http().host());
  }

  @ParameterizedTest(name = "{0}={1} sets {2}")
  @CsvSource({
      "PARLEY_HTTP_PORT, 8181, http.port",
      "PARLEY_LIMITS_MAX_FRAME_BYTES, 1024, limits.maxFrameBytes",
      "PARLEY_CLUSTER_EVENT_BUS_PORT, 7000, cluster.eventBusPort",
      "PARLEY_CLUSTER_FAILURE_DETECTION_MS, 3000, cluster.failureDetectionMs",
      "PARLEY_NODE_GATEWAYS, 3, node.gateways",
      "PARLEY_AUTH_JWT_CACHE_SIZE, 500, auth.jwt.cacheSize",
  })
  @DisplayName("environment names: PARLEY_ + the path in upper snake case, numbers parsed as numbers")
  void numericNames(String variable, String value, String path) {
    JsonObject json = ConfigLoader.load(null, Map.of(variable, value));
    assertEquals(Long.parseLong(value), ((Number) leaf(json, path)).longValue());
  }

  @Test
  @DisplayName("nested paths: PARLEY_AUTH_JWT_SECRET sets auth.jwt.secret verbatim, surrounding spaces included")
  void nestedString() {
    JsonObject json = ConfigLoader.load(null, Map.of("PARLEY_AUTH_JWT_SECRET", " " + SECRET + " "));
    assertEquals(" " + SECRET + " ", leaf(json, "auth.jwt.secret"));
  }

  @Test
  @DisplayName("variables that do not name a setting, or not in upper snake case, are ignored")
  void unrelatedVariables() {
    JsonObject json = ConfigLoader.load(null, Map.of("PARLEY_HTTP_PROT", "1", "parley_http_port", "2",
        "PARLEY_HTTPPORT", "3", "HTTP_PORT", "4", "PARLEY_HTTP", "5"));
    assertEquals(ConfigLoader.defaults(), json);
  }

  @Test
  @DisplayName("PARLEY_CLUSTER_MEMBERS: a comma list becomes a JSON array, spaces trimmed, empty items dropped")
  void membersList() {
    JsonObject json = ConfigLoader.load(null,
        Map.of("PARLEY_CLUSTER_MEMBERS", " 10.0.0.1:5701, 10.0.0.2:5701 ,,10.0.0.3:5701 "));
    assertEquals(new JsonArray().add("10.0.0.1:5701").add("10.0.0.2:5701").add("10.0.0.3:5701"),
        leaf(json, "cluster.members"));
    assertEquals(3, ParleyConfig.from(json).cluster().members().size());
  }

  @Test
  @DisplayName("PARLEY_CLUSTER_MEMBERS empty: an empty array (a cluster of one), even over a file's list")
  void membersEmpty() throws IOException {
    Path file = write("{\"cluster\":{\"members\":[\"10.0.0.1:5701\"]}}");
    JsonObject json = ConfigLoader.load(file, Map.of("PARLEY_CLUSTER_MEMBERS", ""));
    assertEquals(new JsonArray(), leaf(json, "cluster.members"));
  }

  @Test
  @DisplayName("PARLEY_HTTP_ALLOWED_ORIGINS: one item is a one-element array")
  void singleItemList() {
    JsonObject json = ConfigLoader.load(null, Map.of("PARLEY_HTTP_ALLOWED_ORIGINS", "https://chat.example.com"));
    assertEquals(new JsonArray().add("https://chat.example.com"), leaf(json, "http.allowedOrigins"));
  }

  @ParameterizedTest(name = "\"{0}\" is {1}")
  @CsvSource({"true, true", "false, false", "TRUE, true", "False, false", "' true ', true"})
  @DisplayName("booleans: true/false in any case, surrounding spaces ignored")
  void booleans(String raw, boolean expected) {
    JsonObject json = ConfigLoader.load(null,
        Map.of("PARLEY_AUTH_JWT_REQUIRE_EXP", raw, "PARLEY_AUTH_DEV_TOKEN_ENDPOINT", raw,
            "PARLEY_HTTP_HOST", "127.0.0.1")); // the dev-token endpoint needs a loopback listener
    assertEquals(expected, leaf(json, "auth.jwt.requireExp"));
    assertEquals(expected, ParleyConfig.from(json).auth().devTokenEndpoint());
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "PARLEY_HTTP_PORT, eighty",
      "PARLEY_HTTP_PORT, 80.5",
      "PARLEY_HTTP_PORT, ''",
      "PARLEY_LIMITS_MAX_FRAME_BYTES, 64k",
      "PARLEY_AUTH_JWT_REQUIRE_EXP, yes",
      "PARLEY_AUTH_JWT_REQUIRE_EXP, 1",
  })
  @DisplayName("a value that does not parse to the setting's type: IllegalArgumentException naming the variable")
  void invalidValue(String variable, String raw) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(null, Map.of(variable, raw, "PARLEY_AUTH_JWT_SECRET", SECRET)));
    assertTrue(e.getMessage().contains(variable), e::getMessage);
  }

  @Test
  @DisplayName("a failure elsewhere never echoes a string setting such as the secret")
  void secretNeverEchoed() throws IOException {
    IllegalArgumentException invalidEnv = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(null, Map.of("PARLEY_AUTH_JWT_SECRET", SECRET, "PARLEY_HTTP_PORT", "x")));
    assertFalse(invalidEnv.getMessage().contains(SECRET), invalidEnv::getMessage);

    Path file = write("{\"auth\":{\"jwt\":{\"secret\":\"" + SECRET + "\"}},\"http\":{\"port\":70000}}");
    IllegalArgumentException invalidConfig = assertThrows(IllegalArgumentException.class,
        () -> ParleyConfig.from(ConfigLoader.load(file, Map.of())));
    assertFalse(invalidConfig.getMessage().contains(SECRET), invalidConfig::getMessage);
  }

  @Test
  @DisplayName("a named file that does not exist: IllegalArgumentException naming it")
  void missingFile() {
    Path missing = dir.resolve("nowhere.json");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(missing, Map.of()));
    assertTrue(e.getMessage().contains("cannot read configuration file"), e::getMessage);
    assertTrue(e.getMessage().contains(missing.toString()), e::getMessage);
  }

  @Test
  @DisplayName("a file that is not a JSON object: IllegalArgumentException naming it")
  void notAnObject() throws IOException {
    Path array = write("[1, 2]");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(array, Map.of()));
    assertTrue(e.getMessage().contains(array.toString()) && e.getMessage().contains("not a JSON object"),
        e::getMessage);
    Path broken = write("{\"http\": ");
    assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(broken, Map.of()));
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "heartbeat.timeoutMs=25000                  | heartbeat.timeoutMs must be > heartbeat.intervalMs",
      "heartbeat.timeoutMs=1000                   | heartbeat.timeoutMs must be > heartbeat.intervalMs",
      "heartbeat.intervalMs=0                     | heartbeat.intervalMs must be > 0",
      "shutdown.gracePeriodMs=500                 | shutdown.gracePeriodMs must be > shutdown.drainDelayMs",
      "shutdown.drainDelayMs=-1                   | shutdown.drainDelayMs must be >= 0",
      "http.port=65536                            | http.port must be 0..65535",
      "http.port=-1                               | http.port must be 0..65535",
      "cluster.port=0                             | cluster.port must be 1..65535",
      "cluster.failureDetectionMs=999             | cluster.failureDetectionMs must be >= 1000",
      "limits.maxFrameBytes=255                   | limits.maxFrameBytes must be >= 256",
      "limits.maxFrameBytes=536870912             | limits.maxFrameBytes must be <= 536870911 (frame decoders allow 4 times as much)",
      "limits.maxQueuedBytes=1000                 | limits.maxQueuedBytes must be >= limits.maxFrameBytes",
      "limits.maxRoomsPerConnection=0             | limits.maxRoomsPerConnection must be >= 1",
      "history.size=0                             | history.size must be >= 1",
      "history.ttlMs=999                          | history.ttlMs must be 0 (no expiry) or >= 1000",
      "fanout.batchIntervalMs=-1                  | fanout.batchIntervalMs must be 0..1000 (0 = no batching)",
      "fanout.batchIntervalMs=1001                | fanout.batchIntervalMs must be 0..1000 (0 = no batching)",
      "fanout.presenceIntervalMs=-1               | fanout.presenceIntervalMs must be 0..5000 (0 = no batching)",
      "fanout.presenceIntervalMs=5001             | fanout.presenceIntervalMs must be 0..5000 (0 = no batching)",
      "auth.timeoutMs=0                           | auth.timeoutMs must be > 0",
      "node.gateways=-1                           | node.gateways must be >= 0 (0 = one per event loop)",
      "http.maxRequestBytes=0                     | http.maxRequestBytes must be > 0",
      "auth.revocationTtlMs=999                   | auth.revocationTtlMs must be >= 1000",
      "auth.jwt.cacheSize=-1                      | auth.jwt.cacheSize must be >= 0 (0 = no cache)",
      "users.history.size=0                       | users.history.size must be >= 1",
      "users.history.ttlMs=999                    | users.history.ttlMs must be >= 1000",
      "dedup.windowMs=999                         | dedup.windowMs must be >= 1000",
      "limits.publishPerSecond=0                  | limits.publishPerSecond and publishBurst must be > 0",
      "limits.publishBurst=0                      | limits.publishPerSecond and publishBurst must be > 0",
      "limits.protocolErrorsPerSecond=0           | limits.protocolErrorsPerSecond and protocolErrorBurst must be > 0",
      "limits.protocolErrorBurst=0                | limits.protocolErrorsPerSecond and protocolErrorBurst must be > 0",
      "limits.connectionsPerIpPerSecond=-1        | limits.connectionsPerIpPerSecond must be >= 0 (0 = no limit)",
      "limits.connectionsPerIp=-1                 | limits.connectionsPerIp must be >= 0 (0 = no limit)",
      "limits.maxConnections=-1                   | limits.maxConnections must be >= 0 (0 = automatic, from the open-file limit)",
      "limits.maxHeapFraction=0                   | limits.maxHeapFraction must be > 0 and <= 1 (1 = off)",
      "limits.maxHeapFraction=2                   | limits.maxHeapFraction must be > 0 and <= 1 (1 = off)",
      "http.headerTimeoutMs=99                    | http.headerTimeoutMs must be >= 100",
      "http.idleTimeoutMs=0                       | http.idleTimeoutMs must be >= 100",
      "limits.maxRooms=-1                         | limits.maxRooms must be >= 0 (0 = no limit)",
      "limits.maxStreams=-1                       | limits.maxStreams must be >= 0 (0 = no limit)",
      "limits.maxStreams=99                       | limits.maxStreams counts rooms and users together: it must be >= limits.maxRooms (or 0 = no limit)",
      "limits.maxRoomBytes=1023                   | limits.maxRoomBytes must be 0 (no limit) or >= 1024",
      "limits.maxUserStreamBytes=-1               | limits.maxUserStreamBytes must be 0 (no limit) or >= 1024",
      "limits.streamsPerUser=-1                   | limits.streamsPerUser must be >= 0 (0 = no limit)",
      "limits.streamsPerUserWindowMs=999          | limits.streamsPerUserWindowMs must be >= 1000",
      "limits.connectionsPerUser=-1               | limits.connectionsPerUser must be >= 0 (0 = no limit)",
  })
  @DisplayName("ParleyConfig.from rejects each invalid setting with a message naming it")
  void validation(String assignment, String message) {
    String[] parts = assignment.split("=");
    JsonObject json = ConfigLoader.defaults();
    set(json, parts[0], Long.parseLong(parts[1]));
    if (parts[0].startsWith("shutdown.gracePeriodMs")) {
      set(json, "shutdown.drainDelayMs", 500);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(json));
    assertEquals("invalid configuration: " + message, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "disk     | mysql://x/y   | store.kind must be memory, embedded or postgres",
      "postgres | mysql://x/y   | store.url must be postgresql://host:port/database with store.kind=postgres",
      "postgres | postgresql:// | store.url must be postgresql://host:port/database with store.kind=postgres",
  })
  @DisplayName("store settings are checked: a known kind, and a PostgreSQL URL where one is needed")
  void storeValidation(String kind, String url, String message) {
    JsonObject json = ConfigLoader.defaults();
    set(json, "store.kind", kind);
    set(json, "store.url", url);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(json));
    assertEquals("invalid configuration: " + message, e.getMessage());
  }

  @Test
  @DisplayName("history.rooms: the first matching rule wins, unset fields follow the default, env takes JSON")
  void roomRules() {
    JsonObject json = ConfigLoader.load(null, Map.of("PARLEY_HISTORY_ROOMS",
        "[{\"pattern\":\"typing:*\",\"store\":false,\"presence\":false},{\"pattern\":\"t*\",\"size\":5}]"));
    ParleyConfig.History history = ParleyConfig.from(json).history();
    assertFalse(history.ruleFor("typing:42").store());
    assertFalse(history.ruleFor("typing:42").presence());
    assertEquals(5, history.ruleFor("town").size());
    assertEquals(86_400_000L, history.ruleFor("town").ttlMs());
    assertTrue(history.ruleFor("lobby").store());
    assertEquals(1000, history.ruleFor("lobby").size());
  }

  @Test
  @DisplayName("the boundaries themselves are accepted: timeout one ms above the interval, grace one ms above delay")
  void boundaries() {
    ParleyConfig config = ParleyConfig.from(adjusted(json -> {
      set(json, "heartbeat.intervalMs", 1000);
      set(json, "heartbeat.timeoutMs", 1001);
      set(json, "shutdown.drainDelayMs", 500);
      set(json, "shutdown.gracePeriodMs", 501);
      set(json, "limits.maxFrameBytes", 256);
      set(json, "limits.maxQueuedBytes", 256);
      set(json, "http.port", 0);
    }));
    assertEquals(1001, config.heartbeat().timeoutMs());
    assertEquals(501, config.shutdown().gracePeriodMs());
    assertEquals(0, config.http().port());
  }

  @Test
  @DisplayName("validation also applies to values from the environment")
  void environmentValidated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(
        ConfigLoader.load(null, Map.of("PARLEY_HEARTBEAT_TIMEOUT_MS", "100"))));
    assertEquals("invalid configuration: heartbeat.timeoutMs must be > heartbeat.intervalMs", e.getMessage());
  }

  @Test
  @DisplayName("an integer setting beyond int range is rejected, not truncated")
  void integerOverflow() {
    JsonObject json = ConfigLoader.load(null, Map.of("PARLEY_HTTP_PORT", Long.toString((1L << 32) + 8080)));
    assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(json));
  }

  @Test
  @DisplayName("PARLEY_API_KEYS: a comma list of keys; a key under 32 characters is refused without echoing any key")
  void apiKeys() {
    String good = "k".repeat(32);
    String shortKey = "short-api-key-" + SECRET.substring(0, 10);
    assertEquals(List.of(good, good + "2"),
        ParleyConfig.from(ConfigLoader.load(null, Map.of("PARLEY_API_KEYS", good + "," + good + "2"))).apiKeys());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(
        ConfigLoader.load(null, Map.of("PARLEY_API_KEYS", good + "," + shortKey))));
    assertEquals("invalid configuration: api.keys must each be at least 32 characters", e.getMessage());
  }

  @Test
  @DisplayName("PARLEY_AUTH_JWT_PUBLIC_KEYS: ALG:path entries, colons kept, split on commas")
  void publicKeysList() {
    JsonObject json = ConfigLoader.load(null,
        Map.of("PARLEY_AUTH_JWT_PUBLIC_KEYS", "RS256:/etc/parley/rsa.pem,ES256:/etc/parley/ec.pem"));
    assertEquals(List.of("RS256:/etc/parley/rsa.pem", "ES256:/etc/parley/ec.pem"),
        ParleyConfig.from(json).auth().publicKeys());
  }

  @Test
  @DisplayName("auth.jwt.cacheSize: 10000 by default and in conf/parley.json; PARLEY_AUTH_JWT_CACHE_SIZE=0 turns it off")
  void tokenCacheSize() throws IOException {
    assertEquals(10000, ParleyConfig.from(ConfigLoader.load(null, Map.of())).auth().cacheSize());
    Path shipped = Path.of("conf", "parley.json");
    assertEquals(10000, ParleyConfig.from(ConfigLoader.load(shipped, Map.of())).auth().cacheSize());
    assertEquals(0, ParleyConfig.from(ConfigLoader.load(shipped, Map.of("PARLEY_AUTH_JWT_CACHE_SIZE", "0")))
        .auth().cacheSize());
    Path file = write("{\"auth\":{\"jwt\":{\"cacheSize\":250}}}");
    assertEquals(250, ParleyConfig.from(ConfigLoader.load(file, Map.of())).auth().cacheSize());
    assertEquals(40, ParleyConfig.from(ConfigLoader.load(file, Map.of("PARLEY_AUTH_JWT_CACHE_SIZE", "40")))
        .auth().cacheSize());
  }

  @Test
  @DisplayName("a rate setting from the environment: whole numbers are accepted")
  void rateWhole() {
    ParleyConfig config = ParleyConfig.from(ConfigLoader.load(null, Map.of("PARLEY_LIMITS_PUBLISH_PER_SECOND", "50")));
    assertEquals(50.0, config.limits().publishPerSecond());
  }

  @Test
  @DisplayName("a fractional rate from the environment: PARLEY_LIMITS_PUBLISH_PER_SECOND=2.5")
  void rateFraction() {
    ParleyConfig config = ParleyConfig.from(ConfigLoader.load(null, Map.of("PARLEY_LIMITS_PUBLISH_PER_SECOND", "2.5",
        "PARLEY_LIMITS_PROTOCOL_ERRORS_PER_SECOND", "0.5")));
    assertEquals(2.5, config.limits().publishPerSecond());
    assertEquals(0.5, config.limits().protocolErrorsPerSecond());
  }

  private Path write(String json) throws IOException {
    Path file = Files.createTempFile(dir, "parley-", ".json");
    Files.writeString(file, json);
    return file;
  }

  private static JsonObject adjusted(Consumer<JsonObject> adjust) {
    JsonObject json = ConfigLoader.defaults();
    adjust.accept(json);
    return json;
  }

  private static Object leaf(JsonObject json, String path) {
    String[] keys = path.split("\\.");
    JsonObject node = json;
    for (int i = 0; i < keys.length - 1; i++) {
      node = node.getJsonObject(keys[i]);
    }
    return node.getValue(keys[keys.length - 1]);
  }

  private static void set(JsonObject json, String path, Object value) {
    String[] keys = path.split("\\.");
    JsonObject node = json;
    for (int i = 0; i < keys.length - 1; i++) {
      node = node.getJsonObject(keys[i]);
    }
    node.put(keys[keys.length - 1], value);
  }
}
