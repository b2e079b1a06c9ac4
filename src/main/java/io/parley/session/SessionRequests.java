package io.parley.session;

import io.parley.auth.Principal;
import io.parley.auth.TokenVerifier.InvalidToken;
import io.parley.cluster.HistoryEntry;
import io.parley.cluster.HistoryPage;
import io.parley.cluster.RequestDedup;
import io.parley.protocol.CloseCode;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.Frames;
import io.parley.protocol.ProtocolException;
import io.parley.protocol.Request;
import io.parley.protocol.RequestParser;
import io.parley.protocol.SharedFrame;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Supplier;

import static io.parley.protocol.ProtocolException.badRequest;
import static io.parley.protocol.ProtocolException.forbidden;

/**
 * Serves the requests of one session (PROTOCOL.md, "Requests and replies"). Each handler either completes
 * with the {@code ok} frame to send, or with null when it has replied itself, or fails; a failure becomes an
 * {@code error} frame and the connection stays open.
 */
final class SessionRequests {

  private static final int MAX_TYPE_ECHO = 32;
  private static final int MAX_USER_LENGTH = 128;

  private final Session session;
  private final SessionServices services;

  SessionRequests(Session session, SessionServices services) {
    this.session = session;
    this.services = services;
  }

  void handle(String text) {
    Request request;
    try {
      request = RequestParser.parse(text);
    } catch (ProtocolException e) {
      services.metrics().frameIn("invalid");
      session.sendError(null, e);
      return;
    }
    services.metrics().frameIn(request.type() == null ? "invalid" : request.type());
    Future<JsonObject> reply;
    try {
      reply = dispatch(request);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(result -> {
      if (result.failed()) {
        session.sendError(request.id(), result.cause());
      } else if (result.result() != null) {
        session.sendOk(result.result());
      }
    });
  }

  private Future<JsonObject> dispatch(Request request) {
    String type = request.type();
    if (type == null) {
      throw badRequest("field type is required and must be a string");
    }
    if (type.equals("ping")) {
      return Future.succeededFuture(Frames.pong(request.id()));
    }
    if (type.equals("auth")) {
      return auth(request);
    }
    if (!session.isAuthenticated()) {
      throw new ProtocolException(ErrorCode.UNAUTHORIZED, "authenticate first: send an auth frame");
    }
    if ((type.equals("publish") || type.equals("send")) && !session.mayPublish()) {
      services.metrics().rateLimited("publish");
      throw new ProtocolException(ErrorCode.RATE_LIMITED, "too many publishes and sends: at most "
          + services.config().limits().publishPerSecond() + " per second");
    }
    return switch (type) {
      case "join" -> join(request);
      case "leave" -> leave(request);
      case "publish" -> publish(request);
      case "send" -> send(request);
      case "presence" -> presence(request);
      case "history" -> history(request);
      default -> throw badRequest("unknown type " + truncate(type));
    };
  }

  private Future<JsonObject> auth(Request request) {
    if (session.isAuthenticated()) {
      throw badRequest("already authenticated");
    }
    String token = request.requiredString("token");
    return services.tokens().verify(token).transform(result -> {
      if (result.failed()) {
        String message = result.cause() instanceof InvalidToken ? result.cause().getMessage() : "invalid token";
        session.sendError(request.id(), new ProtocolException(ErrorCode.UNAUTHORIZED, message));
        session.close(CloseCode.UNAUTHORIZED, message);
        return Future.succeededFuture();
      }
      Principal principal = result.result();
      return session.authenticate(principal).transform(registered -> {
        if (registered.failed()) {
          session.sendError(request.id(), registered.cause());
          session.close(CloseCode.GOING_AWAY, "cluster unavailable: reconnect");
          return Future.succeededFuture();
        }
        session.sendOk(Frames.ok(request.id())
            .put("user", principal.user())
            .put("session", session.id())
            .put("node", session.nodeId()));
        registered.result().forEach(session::send); // the mailbox, right after the auth reply
        return Future.succeededFuture();
      });
    });
  }

  private Future<JsonObject> join(Request request) {
    String room = request.room();
    long since = request.optionalNonNegative("since");
    if (!session.principal().mayJoin(room)) {
      throw forbidden("not allowed to join " + room);
    }
    RoomSubscription existing = session.rooms().get(room);
    if (existing != null) {
      if (existing.joining()) {
        throw badRequest("a join of " + room + " is already in progress");
      }
      JsonObject ok = Frames.ok(request.id()).put("room", room).put("seq", existing.lastSeq());
      return Future.succeededFuture(since >= 0 ? ok.put("recovered", true) : ok);
    }
    if (session.rooms().size() >= services.config().limits().maxRoomsPerConnection()) {
      throw forbidden("too many rooms on one connection (limit "
          + services.config().limits().maxRoomsPerConnection() + ")");
    }
    RoomSubscription subscription = new RoomSubscription(session, room);
    session.rooms().put(room, subscription);
    String user = session.principal().user();
    return session.localRooms().add(room, subscription)
        .compose(liveAfter -> services.presence().join(room, user, session.id()).map(liveAfter))
        .compose(liveAfter -> since >= 0
            ? services.history().read(room, since, services.history().capacity())
            : Future.succeededFuture(new HistoryPage(List.of(), liveAfter, true)))
        .transform(result -> {
          if (session.isClosed() || session.rooms().get(room) != subscription) {
            return Future.succeededFuture(); // closed or left while joining: nothing to tell
          }
          if (result.failed()) {
            // reply only once presence is undone: a retried join must not race with this leave
            return abandon(room).transform(undone -> Future.failedFuture(result.cause()));
          }
          finishJoin(request, room, since, subscription, result.result());
          return Future.succeededFuture();
        });
  }

  /** Recovered messages, then the ok, then whatever arrived live meanwhile: each seq once, in order. */
  private void finishJoin(Request request, String room, long since, RoomSubscription subscription, HistoryPage page) {
    for (HistoryEntry entry : page.messages()) {
      session.send(entry.frame());
    }
    long seenUpTo = page.seenUpTo();
    JsonObject ok = Frames.ok(request.id()).put("room", room).put("seq", seenUpTo);
    if (since >= 0) {
      ok.put("recovered", page.complete());
    }
    session.sendOk(ok);
    for (SharedFrame frame : subscription.joined(seenUpTo)) {
      session.send(frame.text());
    }
  }

  private Future<JsonObject> leave(Request request) {
    String room = request.room();
    RoomSubscription subscription = session.rooms().get(room);
    if (subscription == null) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "not a member of " + room);
    }
    return abandon(room).transform(r -> Future.succeededFuture(Frames.ok(request.id()).put("room", room)));
  }

  /** Leaves a room locally at once, and in cluster presence. */
  private Future<Void> abandon(String room) {
    RoomSubscription subscription = session.rooms().remove(room);
    if (subscription != null) {
      subscription.leave();
    }
    return services.presence().leave(room, session.principal().user(), session.id());
  }

  private Future<JsonObject> publish(Request request) {
    String room = request.room();
    Object body = request.body();
    Principal principal = session.principal();
    boolean member = session.rooms().containsKey(room);
    if (!member && !principal.mayPublishWithoutJoining(room)) {
      throw forbidden("join " + room + " before publishing to it");
    }
    return deduplicated(request, "publish", room, body,
        () -> services.publisher().publish(room, principal.user(), body).map(seq -> Long.toString(seq)))
        .map(seq -> Frames.ok(request.id()).put("room", room).put("seq", Long.parseLong(seq)));
  }

  private Future<JsonObject> send(Request request) {
    String to = request.requiredString("to");
    if (to.length() > MAX_USER_LENGTH) {
      throw badRequest("field to must be a user id of at most " + MAX_USER_LENGTH + " characters");
    }
    Object body = request.body();
    String from = session.principal().user();
    return deduplicated(request, "send", to, body, () -> services.users().sendPrivate(from, to, session.id(), body))
        .map(mid -> Frames.ok(request.id()).put("mid", mid));
  }

  /**
   * Runs {@code action} once per request id within the dedup window, cluster-wide: a retry (same id, same room or
   * recipient, same body) gets the first outcome back instead. Requests without an id are not de-duplicated, and
   * neither is an id reused for a different message: that is a client's new message, not a retry.
   */
  private Future<String> deduplicated(Request request, String kind, String scope, Object body,
                                      Supplier<Future<String>> action) {
    if (request.id() == null) {
      return action.get();
    }
    String key = RequestDedup.key(kind, session.principal().user(), scope, request.id());
    String fingerprint = fingerprint(body);
    return services.dedup().claim(key, fingerprint).compose(claimed -> {
      if (claimed.reused()) {
        return action.get();
      }
      if (!claimed.first()) {
        return Future.succeededFuture(claimed.outcome());
      }
      return action.get()
          .onSuccess(outcome -> services.dedup().remember(key, fingerprint, outcome))
          .onFailure(e -> services.dedup().forget(key));
    });
  }

  /** Tells a retry from a different message under the same id; a clash needs the same user, id and scope too. */
  private static String fingerprint(Object body) {
    String encoded = Json.encode(body);
    return Integer.toHexString(encoded.hashCode()) + Integer.toHexString(encoded.length());
  }

  private Future<JsonObject> presence(Request request) {
    String room = request.room();
    if (!session.principal().mayJoin(room)) {
      throw forbidden("not allowed to see " + room);
    }
    return services.presence().users(room)
        .map(users -> Frames.ok(request.id()).put("room", room).put("users", new JsonArray(users)));
  }

  private Future<JsonObject> history(Request request) {
    String room = request.room();
    long since = request.optionalNonNegative("since");
    long limit = request.optionalNonNegative("limit");
    int capacity = services.history().capacity();
    if (limit == 0 || limit > capacity) {
      throw badRequest("limit must be 1 to " + capacity);
    }
    if (!session.principal().mayJoin(room)) {
      throw forbidden("not allowed to see " + room);
    }
    return services.history().read(room, since, limit < 0 ? capacity : (int) limit).map(page -> {
      JsonArray messages = new JsonArray();
      page.messages().forEach(entry -> messages.add(new JsonObject(entry.frame())));
      return Frames.ok(request.id()).put("room", room).put("messages", messages).put("seq", page.latestSeq());
    });
  }

  private static String truncate(String type) {
    return type.length() <= MAX_TYPE_ECHO ? type : type.substring(0, MAX_TYPE_ECHO) + "…";
  }
}
