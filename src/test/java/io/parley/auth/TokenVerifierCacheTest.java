package io.parley.auth;

import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.config.ParleyConfig.AuthConfig;
import io.parley.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TokenVerifier with its cache of verified tokens, on real JWTs and a real Vert.x JWTAuth. A full verification
 * builds a new Principal, so getting the very same instance back proves the answer came from the cache.
 */
@ExtendWith(VertxExtension.class)
class TokenVerifierCacheTest {

  private static final String SECRET = "token-verifier-cache-test-secret-0123456789";
  private Vertx vertx;
  private TokenMinter minter;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.minter = new TokenMinter(vertx, SECRET);
  }

  @Test
  @DisplayName("the second verify of a token is answered from the cache: same Principal, one hit, one miss")
  void secondVerifyIsAHit() {
    TokenVerifier verifier = verifier(10, 5);
    String token = minter.mint("alice", false, 60, List.of("lobby"), null);
    Principal first = verified(verifier, token);
    Principal second = verified(verifier, token);
    assertSame(first, second);
    assertEquals(1, verifier.cache().hits());
    assertEquals(1, verifier.cache().misses());
  }

  @Test
  @DisplayName("an RS256 token (public key) is cached like an HS256 one")
  void publicKeyTokenCached(@TempDir Path dir) throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    Path publicPem = Files.writeString(dir.resolve("rsa.pem"), pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    JsonObject json = authJson(10, 5);
    json.getJsonObject("auth").getJsonObject("jwt").put("publicKeys", new JsonArray().add("RS256:" + publicPem));
    TokenVerifier verifier = new TokenVerifier(vertx, ParleyConfig.from(json).auth(), SECRET);
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("RS256").setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))));
    String token = signer.generateToken(new JsonObject(),
        new JWTOptions().setAlgorithm("RS256").setSubject("alice").setExpiresInSeconds(60));
    assertSame(verified(verifier, token), verified(verifier, token));
    assertEquals(1, verifier.cache().hits());
  }

  @Test
  @DisplayName("a cached token is refused once its exp has passed (leeway 0), not a moment before")
  void cachedTokenRefusedAfterExp() {
    TokenVerifier verifier = verifier(10, 0);
    String token = minter.mint("alice", false, 2, null, null);
    Principal alice = verified(verifier, token);
    assertSame(alice, verified(verifier, token));
    long expMillis = alice.expiresAt() * 1000;

    assertTrue(Poll.until(() -> failure(verifier.verify(token)) != null, Duration.ofSeconds(6)),
        "still accepted 4 s after exp");
    assertTrue(System.currentTimeMillis() >= expMillis, "refused before its exp");
    assertEquals("invalid token: expired", failure(verifier.verify(token)).getMessage());
    assertEquals(0, verifier.cache().size());
  }

  @Test
  @DisplayName("a revoked user's cached token is refused; the revocation is checked on every verify")
  void revokedWhileCached() {
    Set<String> revoked = ConcurrentHashMap.newKeySet();
    TokenVerifier verifier = verifier(10, 5)
        .withRevocations(principal -> Future.succeededFuture(revoked.contains(principal.user())));
    String token = minter.mint("alice", false, 60, null, null);
    verified(verifier, token);

    revoked.add("alice");
    assertEquals("invalid token: revoked", failure(verifier.verify(token)).getMessage());
    assertEquals(1, verifier.cache().hits(), "refused on the cached path");

    revoked.remove("alice");
    verified(verifier, token);
    assertEquals(2, verifier.cache().hits());
  }

  @Test
  @DisplayName("tokens that fail (bad signature, expired, no sub, garbage) are refused every time and never cached")
  void failuresNotCached() {
    TokenVerifier verifier = verifier(10, 0);
    long now = System.currentTimeMillis() / 1000;
    JWTAuth signer = TokenVerifier.hs256(vertx, SECRET, 0);
    List<String> bad = List.of(
        new TokenMinter(vertx, "another-secret-of-enough-length-0123456789").mint("alice", false, 60, null, null),
        signer.generateToken(new JsonObject().put("sub", "alice").put("exp", now - 10), new JWTOptions()),
        signer.generateToken(new JsonObject().put("exp", now + 60), new JWTOptions()),
        "not-a-jwt");
    for (String token : bad) {
      assertInstanceOf(TokenVerifier.InvalidToken.class, failure(verifier.verify(token)));
      assertInstanceOf(TokenVerifier.InvalidToken.class, failure(verifier.verify(token)));
    }
    assertEquals(0, verifier.cache().size());
    assertEquals(0, verifier.cache().hits());
  }

  @Test
  @DisplayName("more tokens than cacheSize: every one verifies, the cache keeps only the most recent cacheSize")
  void sizeBound() {
    TokenVerifier verifier = verifier(3, 5);
    List<String> tokens = List.of("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7").stream()
        .map(user -> minter.mint(user, false, 60, null, null)).toList();
    tokens.forEach(token -> verified(verifier, token));
    assertEquals(3, verifier.cache().size());

    tokens.subList(5, 8).forEach(token -> verified(verifier, token));
    assertEquals(3, verifier.cache().hits(), "the last three were kept");
    verified(verifier, tokens.get(0));
    assertEquals(3, verifier.cache().hits(), "the first was evicted");
    assertEquals(3, verifier.cache().size());
  }

  @Test
  @DisplayName("cacheSize 0: every verify is a full one, nothing is kept")
  void disabled() {
    TokenVerifier verifier = verifier(0, 5);
    String token = minter.mint("alice", false, 60, null, null);
    assertNotSame(verified(verifier, token), verified(verifier, token));
    assertEquals(0, verifier.cache().size());
    assertEquals(0, verifier.cache().hits());
  }

  private TokenVerifier verifier(int cacheSize, int leewaySeconds) {
    return new TokenVerifier(vertx, ParleyConfig.from(authJson(cacheSize, leewaySeconds)).auth(), SECRET);
  }

  /** The defaults with the test secret, this cache size and this leeway. */
  private static JsonObject authJson(int cacheSize, int leewaySeconds) {
    JsonObject json = ConfigLoader.defaults();
    json.getJsonObject("auth").getJsonObject("jwt").put("secret", SECRET).put("cacheSize", cacheSize)
        .put("leewaySeconds", leewaySeconds);
    return json;
  }

  private static Principal verified(TokenVerifier verifier, String token) {
    try {
      return verifier.verify(token).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("token rejected: " + e, e);
    }
  }

  /** Why the verification failed, or null if it succeeded. */
  private static Throwable failure(Future<Principal> verification) {
    try {
      verification.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no verification result: " + e, e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
