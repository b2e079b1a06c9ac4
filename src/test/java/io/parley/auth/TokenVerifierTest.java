package io.parley.auth;

import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.config.ParleyConfig.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JWT verification with a real Vert.x JWTAuth. Valid tokens come from {@link TokenMinter}; malformed ones are
 * signed here by hand (HMAC-SHA256) so that any claim can be made wrong while the signature stays right.
 */
@ExtendWith(VertxExtension.class)
class TokenVerifierTest {

  private static final String SECRET = "token-verifier-test-secret-0123456789-abcdef";
  private Vertx vertx;
  private TokenVerifier verifier;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.verifier = new TokenVerifier(vertx, auth(true), SECRET);
  }

  @Test
  @DisplayName("a minted token: Principal with user, rooms, publish-without-joining, admin, issue time and expiry")
  void valid() {
    long before = System.currentTimeMillis() / 1000;
    String token = new TokenMinter(vertx, SECRET).mint("alice", true, 60, List.of("team-*", "lobby"),
        List.of("announce"));
    Principal alice = verified(token);
    assertEquals("alice", alice.user());
    assertTrue(alice.admin());
    assertTrue(alice.mayJoin("team-red"));
    assertTrue(alice.mayJoin("lobby"));
    assertFalse(alice.mayJoin("ops"));
    assertTrue(alice.mayPublishWithoutJoining("announce"));
    assertFalse(alice.mayPublishWithoutJoining("lobby"));
    assertTrue(alice.expiresAt() >= before + 60 && alice.expiresAt() <= before + 62, () -> "exp " + alice.expiresAt());
    assertTrue(alice.issuedAt() >= before && alice.issuedAt() <= before + 2, () -> "iat " + alice.issuedAt());
  }

  @Test
  @DisplayName("no rooms claim: every room; no publish claim: publishing only after joining; no admin claim: not admin")
  void defaultsOfAbsentClaims() {
    Principal bob = verified(new TokenMinter(vertx, SECRET).mint("bob", false, 60, null, null));
    assertEquals("bob", bob.user());
    assertFalse(bob.admin());
    assertTrue(bob.mayJoin("anything"));
    assertFalse(bob.mayPublishWithoutJoining("anything"));
  }

  @Test
  @DisplayName("an empty rooms claim denies every room")
  void emptyRooms() {
    Principal carol = verified(signed(claims("carol").put("rooms", new JsonArray()), SECRET));
    assertFalse(carol.mayJoin("lobby"));
  }

  @Test
  @DisplayName("admin only when the claim is the boolean true")
  void adminMustBeTrue() {
    assertFalse(verified(signed(claims("dave").put("admin", "true"), SECRET)).admin());
    assertFalse(verified(signed(claims("dave").put("admin", 1), SECRET)).admin());
    assertTrue(verified(signed(claims("dave").put("admin", true), SECRET)).admin());
  }

  @Test
  @DisplayName("expired (beyond the leeway): invalid token: expired")
  void expired() {
    long now = System.currentTimeMillis() / 1000;
    String token = signed(new JsonObject().put("sub", "alice").put("iat", now - 120).put("exp", now - 60), SECRET);
    assertRejected(token, "invalid token: expired");
  }

  @Test
  @DisplayName("expired but within the leeway: accepted")
  void withinLeeway() {
    long now = System.currentTimeMillis() / 1000;
    assertEquals("alice", verified(signed(new JsonObject().put("sub", "alice").put("exp", now - 1), SECRET)).user());
  }

  @Test
  @DisplayName("signed with another secret: invalid token: bad signature")
  void wrongSignature() {
    String token = new TokenMinter(vertx, "another-secret-of-enough-length-0123456789").mint("alice", false, 60,
        null, null);
    assertRejected(token, "invalid token: bad signature");
  }

  @Test
  @DisplayName("a claim changed after signing: invalid token: bad signature")
  void tamperedPayload() {
    String token = new TokenMinter(vertx, SECRET).mint("alice", false, 60, List.of("lobby"), null);
    String[] parts = token.split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    claims.remove("rooms");
    String tampered = parts[0] + "." + base64(claims.encode()) + "." + parts[2];
    assertRejected(tampered, "invalid token: bad signature");
  }

  @Test
  @DisplayName("alg none (unsigned): rejected")
  void unsigned() {
    String token = base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + base64(claims("mallory").encode()) + ".";
    assertInstanceOf(TokenVerifier.InvalidToken.class, failure(verifier.verify(token)));
    assertSafe(token, failure(verifier.verify(token)));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30", "....", "Bearer x.y.z"})
  @DisplayName("garbage: invalid token: not a valid signed JWT")
  void garbage(String token) {
    assertRejected(token, "invalid token: not a valid signed JWT");
  }

  @Test
  @DisplayName("null or blank: missing token")
  void missing() {
    assertEquals("missing token", failure(verifier.verify(null)).getMessage());
    assertEquals("missing token", failure(verifier.verify("  ")).getMessage());
  }

  @Test
  @DisplayName("no sub claim: rejected")
  void missingSub() {
    assertRejected(signed(claims(null), SECRET), "invalid token: claim sub must be a string of 1 to 128 characters");
  }

  @ParameterizedTest(name = "sub = {0}")
  @ValueSource(strings = {"42", "true", "[\"alice\"]", "{\"name\":\"alice\"}", "\"\""})
  @DisplayName("sub not a non-empty string: rejected")
  void subNotAString(String sub) {
    JsonObject claims = claims(null).put("sub", new JsonArray("[" + sub + "]").getValue(0));
    assertRejected(signed(claims, SECRET), "invalid token: claim sub must be a string of 1 to 128 characters");
  }

  @Test
  @DisplayName("sub of 128 characters accepted, 129 rejected")
  void subLength() {
    assertEquals(128, verified(signed(claims("u".repeat(128)), SECRET)).user().length());
    assertRejected(signed(claims("u".repeat(129)), SECRET),
        "invalid token: claim sub must be a string of 1 to 128 characters");
  }

  @ParameterizedTest(name = "rooms = {0}")
  @ValueSource(strings = {"\"lobby\"", "[\"lobby\", 1]", "[null]", "{\"lobby\":true}", "[[\"lobby\"]]", "true"})
  @DisplayName("rooms not an array of strings: rejected")
  void roomsNotStrings(String rooms) {
    JsonObject claims = claims("alice").put("rooms", new JsonArray("[" + rooms + "]").getValue(0));
    assertRejected(signed(claims, SECRET), "invalid token: claim rooms must be an array of strings");
  }

  @Test
  @DisplayName("publish not an array of strings: rejected")
  void publishNotStrings() {
    JsonObject claims = claims("alice").put("publish", "announce");
    assertRejected(signed(claims, SECRET), "invalid token: claim publish must be an array of strings");
  }

  @Test
  @DisplayName("no exp while requireExp: rejected; with requireExp off: accepted, expiresAt 0")
  void missingExp() {
    JsonObject claims = new JsonObject().put("sub", "alice");
    assertRejected(signed(claims, SECRET), "invalid token: claim exp is required");
    Principal principal = verified(new TokenVerifier(vertx, auth(false), SECRET), signed(claims, SECRET));
    assertEquals("alice", principal.user());
    assertEquals(0, principal.expiresAt());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"exp", "iat", "nbf"})
  @DisplayName("a time claim that is not a number: a failed future with InvalidToken, never a thrown exception")
  void timeClaimNotANumber(String claim) {
    String token = signed(new JsonObject().put("sub", "alice").put("exp", System.currentTimeMillis() / 1000 + 600)
        .put(claim, "tomorrow"), SECRET);
    Future<Principal> verification = assertDoesNotThrow(() -> verifier.verify(token));
    assertInstanceOf(TokenVerifier.InvalidToken.class, failure(verification));
  }

  @Test
  @DisplayName("auth.jwt.issuer and audience set: a token must carry that iss and that aud (one of its aud)")
  void issuerAndAudience() {
    String iss = "https://auth.example.com";
    TokenVerifier strict = new TokenVerifier(vertx, auth(true, iss, "parley"), SECRET);
    String minted = new TokenMinter(vertx, SECRET, iss, "parley").mint("alice", false, 60, null, null);
    assertEquals("alice", verified(strict, minted).user());
    assertEquals("alice", verified(strict, signed(claims("alice").put("iss", iss)
        .put("aud", new JsonArray().add("other").add("parley")), SECRET)).user());
    String noIss = "invalid token: claim iss is missing or not this node's issuer";
    String noAud = "invalid token: claim aud is missing or does not name this node's audience";
    assertRejected(strict, new TokenMinter(vertx, SECRET).mint("alice", false, 60, null, null), noIss);
    assertRejected(strict, signed(claims("alice").put("iss", "https://evil.example.com").put("aud", "parley"), SECRET), noIss);
    assertRejected(strict, signed(claims("alice").put("iss", 42).put("aud", "parley"), SECRET), noIss);
    assertRejected(strict, signed(claims("alice").put("iss", iss), SECRET), noAud);
    assertRejected(strict, signed(claims("alice").put("iss", iss).put("aud", "parley-staging"), SECRET), noAud);
    assertRejected(strict, signed(claims("alice").put("iss", iss).put("aud", new JsonArray().add("x")), SECRET), noAud);
    // only an issuer: any audience, or none
    TokenVerifier issuerOnly = new TokenVerifier(vertx, auth(true, iss, ""), SECRET);
    assertEquals("alice", verified(issuerOnly, signed(claims("alice").put("iss", iss), SECRET)).user());
    // neither set (the default): iss and aud are not looked at
    assertEquals("alice", verified(signed(claims("alice").put("iss", "anyone").put("aud", "anything"), SECRET)).user());
  }

  @Test
  @DisplayName("auth.jwt.issuer with surrounding spaces: refused at start, naming the setting")
  void issuerValidated() {
    JsonObject json = ConfigLoader.defaults();
    json.getJsonObject("auth").getJsonObject("jwt").put("issuer", " https://auth.example.com");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ParleyConfig.from(json));
    assertTrue(e.getMessage().contains("auth.jwt.issuer"), e.getMessage());
  }

  private Principal verified(String token) {
    return verified(verifier, token);
  }

  private static Principal verified(TokenVerifier verifier, String token) {
    try {
      return verifier.verify(token).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("token rejected: " + e, e);
    }
  }

  private void assertRejected(String token, String message) {
    assertRejected(verifier, token, message);
  }

  private static void assertRejected(TokenVerifier verifier, String token, String message) {
    Throwable failure = failure(verifier.verify(token));
    assertInstanceOf(TokenVerifier.InvalidToken.class, failure);
    assertEquals(message, failure.getMessage());
    assertSafe(token, failure);
  }

  /** The message goes to the client and to logs: it must not quote the token, nor any of its three parts. */
  private static void assertSafe(String token, Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    assertFalse(message.contains(token), message);
    for (String part : token.split("\\.")) {
      assertTrue(part.length() < 8 || !message.contains(part), message);
    }
  }

  private static Throwable failure(Future<Principal> verification) {
    CompletableFuture<Principal> result = verification.toCompletionStage().toCompletableFuture();
    try {
      Principal unexpected = result.get(5, TimeUnit.SECONDS);
      throw new AssertionError("token accepted as " + unexpected.user());
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no verification result: " + e, e);
    }
  }

  private static JsonObject claims(String sub) {
    JsonObject claims = new JsonObject().put("exp", System.currentTimeMillis() / 1000 + 600);
    return sub == null ? claims : claims.put("sub", sub);
  }

  /** An HS256 JWT over exactly these claims. */
  private static String signed(JsonObject claims, String secret) {
    String signingInput = base64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + base64(claims.encode());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The defaults' auth section (5 s leeway), with the test secret and requireExp as given. */
  private static AuthConfig auth(boolean requireExp) {
    return auth(requireExp, "", "");
  }

  private static AuthConfig auth(boolean requireExp, String issuer, String audience) {
    JsonObject json = ConfigLoader.defaults();
    json.getJsonObject("auth").getJsonObject("jwt").put("secret", SECRET).put("requireExp", requireExp)
        .put("issuer", issuer).put("audience", audience);
    return ParleyConfig.from(json).auth();
  }
}
