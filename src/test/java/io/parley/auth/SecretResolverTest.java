package io.parley.auth;

import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.config.ParleyConfig.AuthConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the HS256 secret comes from, and that there is no default one. */
class SecretResolverTest {

  private static final String SECRET = "0123456789abcdefghijklmnopqrstuv"; // exactly 32 characters

  @TempDir
  Path dir;

  @ParameterizedTest(name = "secret \"{0}\"")
  @NullSource
  @ValueSource(strings = {"", "   "})
  @DisplayName("no secret at all: refused, and the message says how to set PARLEY_AUTH_JWT_SECRET")
  void noSecret(String secret) {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SecretResolver.resolve(auth(secret, "", false)));
    assertTrue(e.getMessage().contains("set PARLEY_AUTH_JWT_SECRET"), e::getMessage);
    assertTrue(e.getMessage().contains("at least 32 characters"), e::getMessage);
  }

  @Test
  @DisplayName("a secret of 31 characters is refused without echoing it; 32 is accepted")
  void tooShort() {
    String shortSecret = SECRET.substring(1);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SecretResolver.resolve(auth(shortSecret, "", false)));
    assertTrue(e.getMessage().contains("too short"), e::getMessage);
    assertFalse(e.getMessage().contains(shortSecret), e::getMessage);
    assertEquals(SECRET, SecretResolver.resolve(auth(SECRET, "", false)));
  }

  @Test
  @DisplayName("secretFile: its content, trimmed of the trailing newline")
  void secretFile() throws IOException {
    Path file = dir.resolve("jwt-secret");
    Files.writeString(file, SECRET + "\n");
    assertEquals(SECRET, SecretResolver.resolve(auth("", file.toString(), false)));
  }

  @Test
  @DisplayName("secret takes precedence over secretFile")
  void secretBeforeFile() throws IOException {
    Path file = dir.resolve("jwt-secret");
    Files.writeString(file, "file-" + SECRET);
    assertEquals(SECRET, SecretResolver.resolve(auth(SECRET, file.toString(), false)));
  }

  @Test
  @DisplayName("a secretFile whose content is too short, or empty, is refused")
  void secretFileTooShort() throws IOException {
    Path file = dir.resolve("jwt-secret");
    Files.writeString(file, "short\n");
    IllegalStateException shortContent = assertThrows(IllegalStateException.class,
        () -> SecretResolver.resolve(auth("", file.toString(), false)));
    assertTrue(shortContent.getMessage().contains("too short"), shortContent::getMessage);
    Files.writeString(file, "\n");
    IllegalStateException empty = assertThrows(IllegalStateException.class,
        () -> SecretResolver.resolve(auth("", file.toString(), true)));
    assertTrue(empty.getMessage().contains("PARLEY_AUTH_JWT_SECRET"), empty::getMessage);
  }

  @Test
  @DisplayName("generateSecret: a missing file is created (directories too) with mode 600, and reused next time")
  void generate() throws IOException {
    Path file = dir.resolve("state").resolve("demo-jwt-secret");
    String first = SecretResolver.resolve(auth("", file.toString(), true));
    assertTrue(first.length() >= SecretResolver.MIN_SECRET_LENGTH, first);
    assertEquals(first + "\n", Files.readString(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(first, SecretResolver.resolve(auth("", file.toString(), true)));
    assertEquals(first, SecretResolver.resolve(auth("", file.toString(), false)));
  }

  @Test
  @DisplayName("generateSecret: two different files get two different random secrets")
  void generatedSecretsDiffer() {
    String a = SecretResolver.resolve(auth("", dir.resolve("a").toString(), true));
    String b = SecretResolver.resolve(auth("", dir.resolve("b").toString(), true));
    assertNotEquals(a, b);
  }

  @Test
  @DisplayName("secretFile missing without generateSecret: refused, naming the file, and nothing is created")
  void missingFile() {
    Path file = dir.resolve("missing-secret");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SecretResolver.resolve(auth("", file.toString(), false)));
    assertTrue(e.getMessage().contains(file.toString()), e::getMessage);
    assertTrue(e.getMessage().contains("does not exist"), e::getMessage);
    assertFalse(Files.exists(file));
  }

  @Test
  @DisplayName("generateSecret without a secretFile: nothing to generate into, so refused like no secret")
  void generateWithoutFile() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SecretResolver.resolve(auth("", "", true)));
    assertTrue(e.getMessage().contains("PARLEY_AUTH_JWT_SECRET"), e::getMessage);
  }

  @Test
  @DisplayName("no secret but auth.jwt.publicKeys: null (no HS256 at all) rather than a refusal")
  void publicKeysOnly() {
    AuthConfig keysOnly = auth("", "", false, List.of("RS256:/etc/parley/key.pem"));
    assertNull(SecretResolver.resolve(keysOnly));
  }

  @Test
  @DisplayName("a secret that is too short is refused even when public keys are configured too")
  void shortSecretWithPublicKeys() {
    AuthConfig both = auth("short", "", false, List.of("RS256:/etc/parley/key.pem"));
    assertThrows(IllegalStateException.class, () -> SecretResolver.resolve(both));
  }

  private static AuthConfig auth(String secret, String secretFile, boolean generate) {
    return auth(secret, secretFile, generate, List.of());
  }

  /** The defaults' auth section with these JWT settings, built the way a node builds it. */
  private static AuthConfig auth(String secret, String secretFile, boolean generate, List<String> publicKeys) {
    JsonObject json = ConfigLoader.defaults();
    json.getJsonObject("auth").getJsonObject("jwt").put("secret", secret).put("secretFile", secretFile)
        .put("generateSecret", generate).put("publicKeys", new JsonArray(publicKeys));
    return ParleyConfig.from(json).auth();
  }
}
