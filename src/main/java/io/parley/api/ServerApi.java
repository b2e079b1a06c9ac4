package io.parley.api;

import io.parley.auth.Principal;
import io.parley.cluster.NodeDirectory;
import io.parley.cluster.Revocations;
import io.parley.cluster.UserBus;
import io.parley.protocol.Request;
import io.parley.session.SessionServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The server HTTP API for backends (PROTOCOL.md, "Server HTTP API", plus user messages, disconnects and the
 * node list). Mounted at {@code /api}; every route needs an admin JWT or an API key.
 */
public final class ServerApi {

  private final SessionServices services;
  private final Revocations revocations;
  private final NodeDirectory nodes;

  public ServerApi(SessionServices services, Revocations revocations, NodeDirectory nodes) {
    this.services = services;
    this.revocations = revocations;
    this.nodes = nodes;
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(services.config().http().maxRequestBytes()));
    router.route().handler(new ApiAuth(services.tokens(), services.config().apiKeys()));
    router.post("/rooms/:room/messages").handler(this::publish);
    router.get("/rooms/:room/presence").handler(this::presence);
    router.get("/rooms/:room/history").handler(this::history);
    router.post("/users/:user/messages").handler(this::sendPrivate);
    router.post("/users/:user/disconnect").handler(this::disconnect);
    router.get("/nodes").handler(ctx -> nodes.list()
        .onSuccess(list -> ApiReplies.ok(ctx, new JsonObject().put("nodes", list)))
        .onFailure(e -> ApiReplies.failure(ctx, e)));
    router.route().last().handler(ctx -> ApiReplies.error(ctx, 404, "not_found", "no such API route"));
    router.route().failureHandler(ctx -> ApiReplies.error(ctx, ctx.statusCode() == 413 ? 413 : 400,
        ctx.statusCode() == 413 ? "too_large" : "bad_request",
        ctx.statusCode() == 413 ? "request body too large" : "bad request"));
    return router;
  }

  private void publish(RoutingContext ctx) {
    String room = room(ctx);
    JsonObject body = jsonBody(ctx);
    if (room == null || body == null) {
      return;
    }
    services.publisher().publish(room, principal(ctx).user(), body.getValue("body"))
        .onSuccess(seq -> ApiReplies.ok(ctx, new JsonObject().put("room", room).put("seq", seq)))
        .onFailure(e -> ApiReplies.failure(ctx, e));
  }

  private void presence(RoutingContext ctx) {
    String room = room(ctx);
    if (room == null) {
      return;
    }
    services.presence().listed(room, services.config().presence().maxListed())
        .onSuccess(listing -> ApiReplies.ok(ctx, new JsonObject().put("room", room)
            .put("users", new JsonArray(listing.users())).put("count", listing.count())
            .put("truncated", listing.truncated())))
        .onFailure(e -> ApiReplies.failure(ctx, e));
  }

  private void history(RoutingContext ctx) {
    String room = room(ctx);
    if (room == null) {
      return;
    }
    int capacity = services.history().capacity(room);
    Long since = queryNumber(ctx, "since", 0, Long.MAX_VALUE);
    Long limit = queryNumber(ctx, "limit", 1, capacity);
    if (since == null && ctx.request().getParam("since") != null || limit == null && ctx.request().getParam("limit") != null) {
      ApiReplies.error(ctx, 400, "bad_request", "since must be an integer >= 0, limit an integer 1 to " + capacity);
      return;
    }
    services.history().read(room, since == null ? -1 : since, limit == null ? capacity : limit.intValue())
        .onSuccess(page -> {
          JsonArray messages = new JsonArray();
          page.messages().forEach(entry -> messages.add(new JsonObject(entry.frame())));
          ApiReplies.ok(ctx, new JsonObject().put("room", room).put("seq", page.latestSeq())
              .put("epoch", page.epoch()).put("messages", messages));
        })
        .onFailure(e -> ApiReplies.failure(ctx, e));
  }

  private void sendPrivate(RoutingContext ctx) {
    String user = user(ctx);
    JsonObject body = jsonBody(ctx);
    if (user == null || body == null) {
      return;
    }
    services.users().sendPrivate(principal(ctx).user(), user, null, body.getValue("body"))
        .onSuccess(sent -> ApiReplies.ok(ctx, new JsonObject().put("to", user).put("mid", sent.mid())))
        .onFailure(e -> ApiReplies.failure(ctx, e));
  }

  /** Closes every session of the user on every node (4001); unless {@code "revoke": false}, their tokens too. */
  private void disconnect(RoutingContext ctx) {
    String user = user(ctx);
    if (user == null) {
      return;
    }
    JsonObject options = ctx.body().isEmpty() ? new JsonObject() : jsonBody(ctx);
    if (options == null) {
      return;
    }
    boolean revoke = !Boolean.FALSE.equals(options.getValue("revoke"));
    (revoke ? revocations.revoke(user) : io.vertx.core.Future.<Void>succeededFuture())
        .onSuccess(v -> {
          services.vertx().eventBus().publish(UserBus.DISCONNECT_ADDRESS, user);
          ApiReplies.ok(ctx, new JsonObject().put("user", user).put("revoked", revoke));
        })
        .onFailure(e -> ApiReplies.failure(ctx, e));
  }

  private static Principal principal(RoutingContext ctx) {
    return ctx.get(ApiAuth.PRINCIPAL);
  }

  private static String room(RoutingContext ctx) {
    String room = ctx.pathParam("room");
    if (room == null || !Request.isValidRoom(room)) {
      ApiReplies.error(ctx, 400, "bad_request", "room must be 1 to 128 characters of [A-Za-z0-9._:-]");
      return null;
    }
    return room;
  }

  private static String user(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    if (user == null || user.isEmpty() || user.length() > 128) {
      ApiReplies.error(ctx, 400, "bad_request", "user must be 1 to 128 characters");
      return null;
    }
    return user;
  }

  /** The request's JSON object body with a {@code body} field for messages; null after replying 400. */
  private static JsonObject jsonBody(RoutingContext ctx) {
    JsonObject json;
    try {
      json = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      json = null;
    }
    boolean needsBody = ctx.request().path().endsWith("/messages");
    if (json == null || needsBody && !json.containsKey("body")) {
      ApiReplies.error(ctx, 400, "bad_request", needsBody
          ? "the request body must be a JSON object with a body field: {\"body\": ...}"
          : "the request body must be a JSON object");
      return null;
    }
    return json;
  }

  private static Long queryNumber(RoutingContext ctx, String name, long min, long max) {
    String raw = ctx.request().getParam(name);
    if (raw == null) {
      return null;
    }
    try {
      long value = Long.parseLong(raw);
      return value < min || value > max ? null : value;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
