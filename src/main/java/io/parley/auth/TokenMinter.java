package io.parley.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;

import java.util.List;

/** Signs HS256 tokens with the node's secret: for the {@code token} command, tests and local demos. */
public final class TokenMinter {

  private final JWTAuth jwt;
  private final String issuer;
  private final String audience;

  public TokenMinter(Vertx vertx, String secret) {
    this(vertx, secret, "", "");
  }

  /** Tokens that also carry {@code iss} and {@code aud} (each left out when empty), as {@code auth.jwt.*} asks. */
  public TokenMinter(Vertx vertx, String secret, String issuer, String audience) {
    this.jwt = TokenVerifier.hs256(vertx, secret, 0);
    this.issuer = issuer;
    this.audience = audience;
  }

  /**
   * @param ttlSeconds lifetime; the token carries {@code exp} = now + ttl
   * @param rooms      patterns for the {@code rooms} claim, or null for all rooms
   * @param publish    patterns for the {@code publish} claim (publish without joining), or null for none
   */
  public String mint(String user, boolean admin, long ttlSeconds, List<String> rooms, List<String> publish) {
    JsonObject claims = TokenVerifier.claims(user, admin, rooms, publish);
    JWTOptions options = new JWTOptions().setAlgorithm("HS256").setSubject(user)
        .setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, ttlSeconds));
    if (!issuer.isEmpty()) {
      options.setIssuer(issuer);
    }
    if (!audience.isEmpty()) {
      options.addAudience(audience);
    }
    return jwt.generateToken(claims, options);
  }
}
