package io.parley.auth;

import io.parley.config.ParleyConfig.AuthConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Finds the HS256 secret: {@code auth.jwt.secret} (e.g. from PARLEY_AUTH_JWT_SECRET), else the content of
 * {@code auth.jwt.secretFile}; only when {@code auth.jwt.generateSecret} is on (the local demo) is a missing
 * file created with a random secret. Without any, the node must not start: there is no default secret.
 */
public final class SecretResolver {

  /** HS256 needs at least 256 bits of key to be worth its name. */
  public static final int MIN_SECRET_LENGTH = 32;

  private SecretResolver() {
  }

  /** @return the secret, or null when only public keys ({@code auth.jwt.publicKeys}) verify tokens */
  public static String resolve(AuthConfig auth) {
    String secret = auth.secret();
    if (isBlank(secret) && !isBlank(auth.secretFile())) {
      secret = readOrGenerate(Path.of(auth.secretFile()), auth.generateSecret());
    }
    if (isBlank(secret) && !auth.publicKeys().isEmpty()) {
      return null;
    }
    if (isBlank(secret)) {
      throw new IllegalStateException("no JWT secret configured: set PARLEY_AUTH_JWT_SECRET (at least "
          + MIN_SECRET_LENGTH + " characters, e.g. `openssl rand -base64 48`), or auth.jwt.secret / "
          + "auth.jwt.secretFile in the configuration file; for a local demo run with --conf conf/local.json");
    }
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalStateException("the JWT secret is too short: use at least " + MIN_SECRET_LENGTH
          + " characters");
    }
    return secret;
  }

  private static String readOrGenerate(Path file, boolean generate) {
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      if (!generate) {
        throw new IllegalStateException("auth.jwt.secretFile " + file + " does not exist");
      }
      byte[] random = new byte[48];
      new SecureRandom().nextBytes(random);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
      restrictToOwner(file);
      return secret;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or write auth.jwt.secretFile " + file + ": " + e.getMessage(), e);
    }
  }

  private static void restrictToOwner(Path file) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException ignored) {
      // not a POSIX file system: nothing more we can do
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
