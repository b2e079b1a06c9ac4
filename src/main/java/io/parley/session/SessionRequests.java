package io.parley.session;

import io.parley.auth.Principal;
import io.parley.auth.TokenVerifier.InvalidToken;
import io.parley.cluster.HistoryEntry;
import io.parley.cluster.HistoryPage;
import io.parley.cluster.RequestDedup;
import io.parley.cluster.StreamPosition;
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
  /** A join's recovery is read and written this many messages at a time. */
  static final int RECOVERY_PAGE_MESSAGES = 100;

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
      session.pinged();
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
    if (isRead(type, request) && !session.mayRead()) {
      services.metrics().rateLimited("read");
      throw new ProtocolException(ErrorCode.RATE_LIMITED, "too many history, recovery and presence requests: at most "
          + services.config().reads().perSecond() + " per second");
    }
    return switch (type) {
      case "join" -> join(request);
      case "leave" -> leave(request);
      case "publish" -> publish(request);
      case "send" -> send(request);
      case "presence" -> presence(request);
      case "history" -> history(request);
      case "ack" -> ack(request);
      default -> throw badRequest("unknown type " + truncate(type));
    };
  }

  /** The requests that make the node read and send back more than they carry. */
  private static boolean isRead(String type, Request request) {
    return type.equals("history") || type.equals("presence")
        || type.equals("join") && request.fields().getValue("since") != null;
  }

  private Future<JsonObject> auth(Request request) {
    String token = request.requiredString("token");
    if (session.isAuthenticated()) {
      return refresh(request, token);
    }
    long since = request.optionalNonNegative("since");
    String epoch = request.optionalString("epoch");
    return services.tokens().verify(token).transform(result -> {
      if (result.failed()) {
        String message = result.cause() instanceof InvalidToken ? result.cause().getMessage() : "invalid token";
        session.sendError(request.id(), new ProtocolException(ErrorCode.UNAUTHORIZED, message));
        session.close(CloseCode.UNAUTHORIZED, message);
        return Future.succeededFuture();
      }
      Principal principal = result.result();
      if (session.isClosed() || session.isAuthenticated()) {
        return Future.succeededFuture(); // closed, or authenticated by a concurrent auth, while the token was checked
      }
      return session.authenticate(principal, since, epoch).transform(registered -> {
        if (registered.failed()) {
          session.sendError(request.id(), registered.cause());
          session.closeRefused(registered.cause());
          return Future.succeededFuture();
        }
        Session.OwedMessages owed = registered.result();
        JsonObject ok = Frames.ok(request.id())
            .put("user", principal.user())
            .put("session", session.id())
            .put("node", session.nodeId())
            .put("seq", owed.page().latest())
            .put("epoch", owed.page().epoch());
        if (principal.expiresAt() > 0) {
          ok.put("exp", principal.expiresAt());
        }
        if (since >= 0) {
          ok.put("recovered", owed.recovered());
        }
        session.sendOk(ok);
        session.replay(owed); // what the user is owed, right after the auth reply
        return Future.succeededFuture();
      });
    });
  }

  /**
   * An {@code auth} on an authenticated session (PROTOCOL.md 1.1): a valid token of the same user refreshes its
   * claims and expiry; another user's token is {@code forbidden} and an invalid one {@code unauthorized}, and the
   * session stays as it was.
   */
  private Future<JsonObject> refresh(Request request, String token) {
    String user = session.principal().user();
    return services.tokens().verify(token)
        .recover(e -> Future.failedFuture(new ProtocolException(ErrorCode.UNAUTHORIZED,
            e instanceof InvalidToken ? e.getMessage() : "invalid token")))
        .compose(renewed -> {
          if (!renewed.user().equals(user)) {
            return Future.failedFuture(forbidden("a session cannot change user: this one is " + user));
          }
          if (session.isClosed()) {
            return Future.succeededFuture();
          }
          session.refresh(renewed);
          return services.userStreams().position(user).map(position -> {
            JsonObject ok = Frames.ok(request.id()).put("user", user).put("session", session.id())
                .put("node", session.nodeId()).put("seq", position.seq()).put("epoch", position.epoch());
            return renewed.expiresAt() > 0 ? ok.put("exp", renewed.expiresAt()) : ok;
          });
        });
  }

  private Future<JsonObject> join(Request request) {
    String room = request.room();
    long since = request.optionalNonNegative("since");
    String epoch = request.optionalString("epoch");
    if (!session.principal().mayJoin(room)) {
      throw forbidden("not allowed to join " + room);
    }
    RoomSubscription existing = session.rooms().get(room);
    if (existing != null) {
      if (existing.joining()) {
        throw badRequest("a join of " + room + " is already in progress");
      }
      JsonObject ok = Frames.ok(request.id()).put("room", room).put("seq", existing.lastSeq())
          .put("epoch", existing.epoch());
      return Future.succeededFuture(since >= 0
          ? ok.put("recovered", epoch == null || epoch.equals(existing.epoch()) && since <= existing.lastSeq()) : ok);
    }
    if (session.rooms().size() >= services.config().limits().maxRoomsPerConnection()) {
      throw forbidden("too many rooms on one connection (limit "
          + services.config().limits().maxRoomsPerConnection() + ")");
    }
    RoomSubscription subscription = new RoomSubscription(session, room);
    session.rooms().put(room, subscription);
    String user = session.principal().user();
    return opened(room, user)
        .compose(v -> subscription.hasLeft() ? Future.failedFuture("left while joining")
            : session.localRooms().add(room, subscription))
        .compose(liveAfter -> subscription.announce(() -> services.presence().join(room, user, session.id()))
            .map(liveAfter))
        .compose(liveAfter -> since >= 0
            ? recover(room, since, epoch)
            : Future.succeededFuture(new HistoryPage(List.of(), liveAfter.seq(), true, liveAfter.epoch())))
        .transform(result -> {
          if (session.isClosed() || session.rooms().get(room) != subscription) {
            return Future.succeededFuture(); // closed or left while joining: nothing to tell
          }
          if (result.failed()) {
            // reply only once presence is undone: a retried join must not race with this leave
            return abandon(room).transform(undone -> Future.failedFuture(result.cause()));
          }
          return writeRecovered(room, result.result()).transform(written -> {
            if (session.isClosed() || session.rooms().get(room) != subscription) {
              return Future.succeededFuture();
            }
            if (written.failed()) {
              return abandon(room).transform(undone -> Future.failedFuture(written.cause()));
            }
            finishJoin(request, room, since, subscription, written.result());
            return Future.succeededFuture();
          });
        });
  }

  /**
   * A room this gateway has no member of may have no stream yet: it is made here, if the memory limits admit it
   * ({@code forbidden} otherwise, counted to {@code user}), before the hub subscribes to it. A room with members
   * here has its stream; a publish to a room never gains this call.
   */
  private Future<Void> opened(String room, String user) {
    if (session.localRooms().has(room)) {
      return Future.succeededFuture();
    }
    return services.history().open(room, services.streamLimits().room(user)).mapEmpty();
  }

  /**
   * The first page of messages after {@code since}, when the client's {@code epoch} (if it gave one) is the
   * room's. In another epoch its seq means nothing here: it gets the new run's messages from the start, and
   * {@code recovered:false}.
   */
  private Future<HistoryPage> recover(String room, long since, String epoch) {
    int page = recoveryPage(room);
    return services.history().read(room, since, page).compose(first -> epoch == null
        || epoch.equals(first.epoch()) ? Future.succeededFuture(first)
        : services.history().read(room, 0, page)
            .map(fresh -> new HistoryPage(fresh.messages(), fresh.latestSeq(), false, fresh.epoch())));
  }

  private int recoveryPage(String room) {
    return Math.min(RECOVERY_PAGE_MESSAGES, services.history().capacity(room));
  }

  /**
   * Writes a recovery page by page, each paced to what the client takes ({@link PacedWriter}), until the room's
   * newest seq at the last read: a recovery larger than the client's queue is paged, never a 4008 loop (the
   * live messages of the room wait in the subscription meanwhile). Completes with where the client now is:
   * messages written, the room's newest seq, whether nothing asked for was missing, and the epoch.
   */
  private Future<HistoryPage> writeRecovered(String room, HistoryPage page) {
    List<String> frames = page.messages().stream().map(HistoryEntry::frame).toList();
    return session.paced().write(frames).compose(v -> {
      long last = page.messages().isEmpty() ? page.latestSeq() : page.messages().get(page.messages().size() - 1).seq();
      if (last >= page.latestSeq()) {
        return Future.succeededFuture(new HistoryPage(List.of(), page.seenUpTo(), page.complete(), page.epoch()));
      }
      return services.history().read(room, last, recoveryPage(room)).compose(next -> next.epoch().equals(page.epoch())
          ? writeRecovered(room, new HistoryPage(next.messages(), next.latestSeq(),
              page.complete() && next.complete(), next.epoch()))
          // the room began anew meanwhile: the reset the subscription holds tells the client
          : Future.succeededFuture(new HistoryPage(List.of(), last, page.complete(), page.epoch())));
    });
  }

  /** Recovered messages (written), then the ok, then whatever arrived live meanwhile: each seq once, in order. */
  private void finishJoin(Request request, String room, long since, RoomSubscription subscription, HistoryPage page) {
    long seenUpTo = page.seenUpTo();
    JsonObject ok = Frames.ok(request.id()).put("room", room).put("seq", seenUpTo).put("epoch", page.epoch());
    if (since >= 0) {
      ok.put("recovered", page.complete());
    }
    session.sendOk(ok);
    for (SharedFrame frame : subscription.joined(seenUpTo, page.epoch())) {
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

  /** Leaves a room locally at once, and in cluster presence once the join's announcement is written. */
  private Future<Void> abandon(String room) {
    RoomSubscription subscription = session.rooms().remove(room);
    if (subscription == null) {
      return Future.succeededFuture();
    }
    return subscription.withdraw(() -> services.presence().leave(room, session.principal().user(), session.id()));
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
        () -> services.publisher().publish(room, principal.user(), body, principal.user())
            .map(seq -> Long.toString(seq)))
        .map(seq -> Frames.ok(request.id()).put("room", room).put("seq", Long.parseLong(seq)));
  }

  private Future<JsonObject> send(Request request) {
    String to = request.requiredString("to");
    if (to.length() > MAX_USER_LENGTH) {
      throw badRequest("field to must be a user id of at most " + MAX_USER_LENGTH + " characters");
    }
    Object body = request.body();
    String from = session.principal().user();
    return deduplicated(request, "send", to, body, () -> services.users().sendPrivate(from, to, session.id(), body)
            .map(sent -> sent.mid() + " " + sent.position().seq() + " " + sent.position().epoch()))
        .map(outcome -> {
          String[] parts = outcome.split(" ", 3); // mid, seq, epoch: none holds a space
          long seq = Long.parseLong(parts[1]);
          session.sentOwn(new StreamPosition(seq, parts[2]));
          return Frames.ok(request.id()).put("mid", parts[0]).put("seq", seq);
        });
  }

  /** The client has shown or stored its stream up to {@code seq}: nothing up to it is owed any more. */
  private Future<JsonObject> ack(Request request) {
    long seq = request.optionalNonNegative("seq");
    if (seq < 0) {
      throw badRequest("field seq is required and must be a non-negative integer");
    }
    return services.userStreams().ack(session.principal().user(), seq)
        .map(v -> request.id() == null ? null : Frames.ok(request.id()));
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
    return services.presence().listed(room, services.config().presence().maxListed())
        .map(listing -> Frames.ok(request.id()).put("room", room).put("users", new JsonArray(listing.users()))
            .put("count", listing.count()).put("truncated", listing.truncated()));
  }

  private Future<JsonObject> history(Request request) {
    if (request.fields().containsKey("with")) {
      return conversation(request);
    }
    String room = request.room();
    long since = request.optionalNonNegative("since");
    int capacity = services.history().capacity(room);
    int limit = limit(request, capacity);
    if (!session.principal().mayJoin(room)) {
      throw forbidden("not allowed to see " + room);
    }
    return services.history().read(room, since, limit).compose(page -> epochToShow(room, page)
        .map(epoch -> ReplyBudget.withMessages(
            Frames.ok(request.id()).put("room", room).put("seq", page.latestSeq()).put("epoch", epoch),
            page.messages().stream().map(HistoryEntry::frame).toList(), since < 0, maxReplyBytes())));
  }

  /**
   * The epoch a history reply names. A read of a room with no stream yet makes nothing, so the epoch it saw would
   * not be the one the room gets when it is made: a client reading before joining (parley.js does) would then see
   * its run change at once. So an empty room is opened here, within the memory limits; where they refuse, the
   * reply names the read's epoch (the room has no run yet).
   */
  private Future<String> epochToShow(String room, HistoryPage page) {
    if (page.latestSeq() > 0 || session.localRooms().has(room)) {
      return Future.succeededFuture(page.epoch());
    }
    return services.history().open(room, services.streamLimits().room(session.principal().user()))
        .map(StreamPosition::epoch).otherwise(page.epoch());
  }

  /** {@code history} with {@code with}: the conversation with that user, from the caller's stream. */
  private Future<JsonObject> conversation(Request request) {
    String peer = request.requiredString("with");
    if (peer.length() > MAX_USER_LENGTH) {
      throw badRequest("field with must be a user id of at most " + MAX_USER_LENGTH + " characters");
    }
    long since = request.optionalNonNegative("since");
    int limit = limit(request, services.userStreams().capacity());
    return services.userStreams().conversation(session.principal().user(), peer, Math.max(0, since), limit)
        .map(page -> {
          List<String> frames = new java.util.ArrayList<>(page.seqs().size());
          for (int i = 0; i < page.seqs().size(); i++) {
            frames.add(Frames.privateMessage(page.seqs().get(i), page.messages().get(i)));
          }
          // a conversation reads the newest messages (after since): the newest are kept
          return ReplyBudget.withMessages(Frames.ok(request.id()).put("with", peer).put("seq", page.latest())
              .put("epoch", page.epoch()), frames, true, maxReplyBytes());
        });
  }

  /** Never more than the client's queue holds: a reply must not trip its own slow-consumer cut (4008). */
  private int maxReplyBytes() {
    return Math.min(services.config().reads().maxReplyBytes(), services.config().limits().maxQueuedBytes());
  }

  /** The {@code limit} of a history read: 1 to {@code capacity}, the whole capacity when absent. */
  private static int limit(Request request, int capacity) {
    long limit = request.optionalNonNegative("limit");
    if (limit == 0 || limit > capacity) {
      throw badRequest("limit must be 1 to " + capacity);
    }
    return limit < 0 ? capacity : (int) limit;
  }

  private static String truncate(String type) {
    return type.length() <= MAX_TYPE_ECHO ? type : type.substring(0, MAX_TYPE_ECHO) + "…";
  }
}
