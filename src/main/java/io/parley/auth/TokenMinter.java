package io.parley.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;

import java.util.List;

/** Signs HS256 tokens with the node's secret: for the {@code token} command, tests and local demos. */
public final class TokenMinter {

  private final JWTAuth jwt;

  public TokenMinter(Vertx vertx, String secret) {
    this.jwt = TokenVerifier.hs256(vertx, secret, 0);
  }

  /**
   * @param ttlSeconds lifetime; the token carries {@code exp} = now + ttl
   * @param rooms      patterns for the {@code rooms} claim, or null for all rooms
   * @param publish    patterns for the {@code publish} claim (publish without joining), or null for none
   */
  public String mint(String user, boolean admin, long ttlSeconds, List<String> rooms, List<String> publish) {
    JsonObject claims = TokenVerifier.claims(user, admin, rooms, publish);
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setSubject(user)
        .setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, ttlSeconds)));
  }
}
