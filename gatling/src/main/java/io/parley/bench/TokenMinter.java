package io.parley.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 JWTs ({@code sub}, {@code exp}, optional extra claims) with the JDK only; used by the bench and by
 * the Gatling simulations.
 */
public final class TokenMinter {

  private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

  private final SecretKeySpec key;
  private final long lifetimeSeconds;

  public TokenMinter(String secret, long lifetimeSeconds) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.lifetimeSeconds = lifetimeSeconds;
  }

  /** A token for {@code userId}, which must be JSON-safe (the bench's ids are {@code [a-z0-9-]}). */
  public String mint(String userId) {
    return mint(userId, "");
  }

  /** {@code extraClaims} is spliced after {@code exp}: empty or starting with a comma, e.g. {@code ,"publish":["r"]}. */
  public String mint(String userId, String extraClaims) {
    long exp = Instant.now().getEpochSecond() + lifetimeSeconds;
    String claims = "{\"sub\":\"" + userId + "\",\"exp\":" + exp + extraClaims + "}";
    String signingInput = HEADER + "." + encode(claims);
    return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sign(signingInput));
  }

  private byte[] sign(String signingInput) {
    try {
      // A Mac is not thread-safe; tokens are minted on several event-loop threads, and one per call costs ~1 µs.
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
