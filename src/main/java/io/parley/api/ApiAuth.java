package io.parley.api;

import io.parley.auth.Principal;
import io.parley.auth.RoomPatterns;
import io.parley.auth.TokenVerifier;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Lets a request through to the server API when its {@code Authorization: Bearer ...} is a configured API key
 * or a JWT with {@code "admin": true}. Missing or invalid credentials get 401 with a JSON error; a valid token without
 * {@code "admin": true} gets 403 (the credential is good, it just may not do this).
 */
final class ApiAuth implements Handler<RoutingContext> {

  static final String PRINCIPAL = "parley.principal";
  /** Who an API key acts as: messages it sends come from this user id. */
  static final String API_KEY_USER = "api";

  private final TokenVerifier tokens;
  private final List<byte[]> keys;

  ApiAuth(TokenVerifier tokens, List<String> keys) {
    this.tokens = tokens;
    this.keys = keys.stream().map(key -> key.getBytes(StandardCharsets.UTF_8)).toList();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ApiReplies.error(ctx, 401, "unauthorized", "send Authorization: Bearer <admin JWT or API key>");
      return;
    }
    String credential = header.substring(7).trim();
    if (isApiKey(credential)) {
      ctx.put(PRINCIPAL, new Principal(API_KEY_USER, RoomPatterns.ANY, RoomPatterns.ANY, true, 0, 0));
      ctx.next();
      return;
    }
    tokens.verify(credential).onComplete(result -> {
      if (result.failed()) {
        ApiReplies.error(ctx, 401, "unauthorized", result.cause().getMessage());
      } else if (!result.result().admin()) {
        ApiReplies.error(ctx, 403, "forbidden", "the token is valid but lacks \"admin\": true");
      } else {
        ctx.put(PRINCIPAL, result.result());
        ctx.next();
      }
    });
  }

  /** Constant-time comparison, so response timing does not reveal a key's prefix. */
  private boolean isApiKey(String credential) {
    byte[] given = credential.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (byte[] key : keys) {
      match |= MessageDigest.isEqual(key, given);
    }
    return match;
  }
}
