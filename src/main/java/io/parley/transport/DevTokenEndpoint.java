package io.parley.transport;

import io.parley.auth.TokenMinter;
import io.parley.protocol.Request;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /dev/token} with {@code {"user":"alice"}}: a one-hour token for anyone who asks. Only for the local
 * demo ({@code auth.devTokenEndpoint}); without that setting the route does not exist.
 */
public final class DevTokenEndpoint implements Handler<RoutingContext> {

  private static final long TTL_SECONDS = 3600;

  private final TokenMinter minter;

  public DevTokenEndpoint(TokenMinter minter) {
    this.minter = minter;
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    Object user = body == null ? null : body.getValue("user");
    if (!(user instanceof String name) || !Request.isValidRoom(name) || name.length() > 64) {
      ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", "bad_request")
              .put("message", "body must be {\"user\": 1 to 64 characters of [A-Za-z0-9._:-]}").encode());
      return;
    }
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("user", name).put("token", minter.mint(name, false, TTL_SECONDS, null, null)).encode());
  }
}
