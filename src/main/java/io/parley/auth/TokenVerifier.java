package io.parley.auth;

import io.parley.config.ParleyConfig.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.List;

/**
 * Verifies a JWT and turns its claims into a {@link Principal}. Failures carry a message fit for the
 * client; the token itself is never part of any message or log line. Tokens that verified are remembered
 * ({@link VerifiedTokenCache}): presented again, they skip the signature and claim checks, never the revocation one.
 */
public final class TokenVerifier {

  private static final int MAX_USER_LENGTH = 128;

  /**
   * One provider per thread: Vert.x's JWK signs and verifies under a lock (its Mac and Signature are not
   * thread-safe), so one provider shared by all event loops made them queue for it during a connect storm
   * (JFR: event loops blocked 15–24 ms on the JWK's monitor).
   */
  private final ThreadLocal<JWTAuth> jwt;
  private final boolean requireExp;
  /** Empty: not checked. */
  private final String issuer;
  private final String audience;
  private final VerifiedTokenCache cache;
  private RevocationCheck revocations = principal -> Future.succeededFuture(false);

  /** Whether a user's tokens issued before some moment were revoked (by the server API's disconnect). */
  public interface RevocationCheck {
    Future<Boolean> isRevoked(Principal principal);
  }

  /** @param secret the HS256 secret, or null when only {@code auth.jwt.publicKeys} verify tokens */
  public TokenVerifier(Vertx vertx, AuthConfig auth, String secret) {
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions().setLeeway(auth.leewaySeconds()));
    if (secret != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret));
    }
    auth.publicKeys().forEach(entry -> options.addPubSecKey(PublicKeys.load(entry)));
    // built once here so that a bad key fails the start, not the first connection
    JWTAuth checked = JWTAuth.create(vertx, options);
    this.jwt = ThreadLocal.withInitial(() -> JWTAuth.create(vertx, options));
    jwt.set(checked);
    this.requireExp = auth.requireExp();
    this.issuer = auth.issuer();
    this.audience = auth.audience();
    this.cache = new VerifiedTokenCache(auth.cacheSize(), auth.leewaySeconds());
  }

  static JWTAuth hs256(Vertx vertx, String secret, int leewaySeconds) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(new JWTOptions().setLeeway(leewaySeconds)));
  }

  public TokenVerifier withRevocations(RevocationCheck check) {
    this.revocations = check;
    return this;
  }

  /** Hit and miss counts, for metrics. */
  public VerifiedTokenCache cache() {
    return cache;
  }

  public Future<Principal> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new InvalidToken("missing token"));
    }
    Principal cached = cache.get(token);
    Future<Principal> verified = cached != null ? Future.succeededFuture(cached) : verifySignatureAndClaims(token);
    return verified.compose(principal -> revocations.isRevoked(principal).compose(revoked -> revoked
        ? Future.failedFuture(new InvalidToken("invalid token: revoked"))
        : Future.succeededFuture(principal)));
  }

  private Future<Principal> verifySignatureAndClaims(String token) {
    return authenticate(token)
        .recover(e -> Future.failedFuture(new InvalidToken("invalid token: " + clientSafe(e))))
        .compose(user -> principal(user.attributes().getJsonObject("accessToken")))
        .onSuccess(principal -> cache.put(token, principal));
  }

  /** Vert.x may throw instead of failing (e.g. ClassCastException on a non-numeric exp): both become a failure. */
  private Future<io.vertx.ext.auth.User> authenticate(String token) {
    try {
      return jwt.get().authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Principal> principal(JsonObject claims) {
    if (claims == null) {
      return Future.failedFuture(new InvalidToken("invalid token: no claims"));
    }
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String user) || user.isEmpty() || user.length() > MAX_USER_LENGTH) {
      return Future.failedFuture(new InvalidToken("invalid token: claim sub must be a string of 1 to "
          + MAX_USER_LENGTH + " characters"));
    }
    Object exp = claims.getValue("exp");
    if (requireExp && !(exp instanceof Number)) {
      return Future.failedFuture(new InvalidToken("invalid token: claim exp is required"));
    }
    if (!issuer.isEmpty() && !issuer.equals(claims.getValue("iss"))) {
      return Future.failedFuture(new InvalidToken("invalid token: claim iss is missing or not this node's issuer"));
    }
    if (!audience.isEmpty() && !hasAudience(claims.getValue("aud"))) {
      return Future.failedFuture(new InvalidToken("invalid token: claim aud is missing or does not name this node's "
          + "audience"));
    }
    try {
      return Future.succeededFuture(new Principal(user,
          patterns(claims, "rooms", RoomPatterns.ANY),
          patterns(claims, "publish", RoomPatterns.NONE),
          Boolean.TRUE.equals(claims.getValue("admin")),
          claims.getValue("iat") instanceof Number iat ? iat.longValue() : 0L,
          exp instanceof Number n ? n.longValue() : 0L));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new InvalidToken("invalid token: " + e.getMessage()));
    }
  }

  /** RFC 7519: {@code aud} is one string or an array of strings; the configured audience must be among them. */
  private boolean hasAudience(Object aud) {
    if (aud instanceof String one) {
      return audience.equals(one);
    }
    return aud instanceof JsonArray many && many.contains(audience);
  }

  private static RoomPatterns patterns(JsonObject claims, String name, RoomPatterns absent) {
    Object value = claims.getValue(name);
    if (value == null) {
      return absent;
    }
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      throw new IllegalArgumentException("claim " + name + " must be an array of strings");
    }
    return RoomPatterns.of(array.stream().map(String.class::cast).toList());
  }

  /** Vert.x messages may quote parts of the token; keep only the kind of failure. */
  private static String clientSafe(Throwable e) {
    String message = String.valueOf(e.getMessage()).toLowerCase();
    if (message.contains("expired")) {
      return "expired";
    }
    if (message.contains("signature")) {
      return "bad signature";
    }
    return "not a valid signed JWT";
  }

  /** A token that does not authenticate; the message is safe to send to the client. */
  public static final class InvalidToken extends RuntimeException {
    public InvalidToken(String message) {
      super(message, null, false, false);
    }
  }

  /** Claims for {@link TokenMinter}; kept here so both sides agree on names. */
  public static JsonObject claims(String user, boolean admin, List<String> rooms, List<String> publish) {
    JsonObject claims = new JsonObject();
    if (admin) {
      claims.put("admin", true);
    }
    if (rooms != null) {
      claims.put("rooms", new JsonArray(rooms));
    }
    if (publish != null) {
      claims.put("publish", new JsonArray(publish));
    }
    return claims;
  }
}
