package io.parley.gatling;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Mints HS256 JWTs the node accepts, with the JDK only (no JWT library on a load generator's classpath). */
public final class TokenMinter {

  private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

  private final SecretKeySpec key;
  private final Duration lifetime;

  public TokenMinter(String secret, Duration lifetime) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.lifetime = lifetime;
  }

  /** A token for {@code userId}; the id is quoted as a JSON string, so it must be JSON-safe. */
  public String mint(String userId) {
    long exp = Instant.now().plus(lifetime).getEpochSecond();
    String claims = "{\"sub\":" + JsonStrings.quote(userId) + ",\"exp\":" + exp + "}";
    String signingInput = HEADER + "." + encode(claims);
    return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sign(signingInput));
  }

  private byte[] sign(String signingInput) {
    try {
      // A Mac is not thread-safe and virtual users run on several threads: one per call is cheap enough.
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static String encode(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
