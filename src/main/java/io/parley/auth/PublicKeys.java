package io.parley.auth;

import io.vertx.ext.auth.PubSecKeyOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** Reads an {@code auth.jwt.publicKeys} entry, {@code ALG:/path/to/public-key.pem}, into a verification key. */
final class PublicKeys {

  private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
      "PS256", "PS384", "PS512");

  private PublicKeys() {
  }

  static PubSecKeyOptions load(String entry) {
    int colon = entry.indexOf(':');
    String algorithm = colon < 0 ? "" : entry.substring(0, colon);
    if (!ALGORITHMS.contains(algorithm)) {
      throw new IllegalArgumentException("auth.jwt.publicKeys entry must be ALG:/path/to/key.pem with ALG one of "
          + ALGORITHMS + ", got " + entry);
    }
    Path file = Path.of(entry.substring(colon + 1));
    try {
      String pem = Files.readString(file);
      if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
        throw new IllegalArgumentException("auth.jwt.publicKeys file " + file + " is not a PEM public key");
      }
      return new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(pem);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read auth.jwt.publicKeys file " + file + ": " + e.getMessage(), e);
    }
  }
}
