package io.parley.session;

import io.parley.auth.Principal;
import io.parley.cluster.ClusterFailures;
import io.parley.cluster.StreamPosition;
import io.parley.cluster.UserStreams;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.hub.LocalRooms;
import io.parley.hub.UserEndpoint;
import io.parley.protocol.CloseCode;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.Frames;
import io.parley.protocol.ProtocolException;
import io.parley.protocol.SharedFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One client connection: who it is, which rooms it is in, its timers and its outbound limit. Lives on one
 * gateway's event loop; every method must be called there. Requests are served by {@link SessionRequests}.
 */
public final class Session implements UserEndpoint {

  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final String id;
  private final Transport transport;
  private final SessionServices services;
  private final LocalRooms localRooms;
  private final Context context;
  private final SessionRequests requests;
  private final Map<String, RoomSubscription> rooms = new HashMap<>();
  private final Promise<Void> cleanedUp = Promise.promise();
  private final Consumer<Session> onClosed;
  private Principal principal;
  /** Orders the pushes of the user's stream; made at auth. */
  private UserStreamCursor userStream;
  /** The auth's registration in the user directory; the close's removal waits for it. */
  private Future<Void> registered;
  /** Per room, the last presence write issued: the next one waits for it. */
  private final Map<String, Future<Void>> presenceWrites = new HashMap<>();
  /** Verification of a token from the URL, while in flight: frames wait for it. */
  private Future<Void> pendingAuth;
  private long authTimer = -1;
  /** Ends the session at its token's {@code exp} plus the leeway, unless an auth refreshes it first. */
  private long expiryTimer = -1;
  private long lastSeenMs = System.currentTimeMillis();
  /** The client sent a {@code ping}: a client that pings keeps doing so (parley.js every pingIntervalMs). */
  private boolean pings;
  private TokenBucket publishes;
  /** Created on the first read request (history, recovery, presence). */
  private TokenBucket reads;
  /** Created on the first protocol error: most connections never make one. */
  private TokenBucket protocolErrors;
  private boolean closed;

  Session(Transport transport, SessionServices services, LocalRooms localRooms, Context context,
          Consumer<Session> onClosed) {
    this.id = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    this.transport = transport;
    this.services = services;
    this.localRooms = localRooms;
    this.context = context;
    this.onClosed = onClosed;
    this.requests = new SessionRequests(this, services);
  }

  /** Starts the session: authenticates a token from the URL, or waits {@code auth.timeoutMs} for an auth frame. */
  void start(String urlToken) {
    services.metrics().connectionOpened(transport.kind());
    authTimer = services.vertx().setTimer(services.config().auth().timeoutMs(),
        t -> close(CloseCode.UNAUTHORIZED, "authentication timeout"));
    if (urlToken != null) {
      pendingAuth = services.tokens().verify(urlToken)
          .onFailure(e -> close(CloseCode.UNAUTHORIZED, e.getMessage()))
          .compose(principal -> closed ? Future.<OwedMessages>failedFuture("closed while authenticating")
              : authenticate(principal, -1, null)
              .onSuccess(this::replay)
              .onFailure(e -> {
                if (e instanceof ProtocolException) {
                  sendError(null, e);
                }
                closeRefused(e);
              }))
          .<Void>mapEmpty()
          .onComplete(r -> pendingAuth = null);
    }
  }

  public String id() {
    return id;
  }

  public Principal principal() {
    return principal;
  }

  public boolean isAuthenticated() {
    return principal != null;
  }

  public boolean isClosed() {
    return closed;
  }

  String nodeId() {
    return services.nodeId();
  }

  Map<String, RoomSubscription> rooms() {
    return rooms;
  }

  LocalRooms localRooms() {
    return localRooms;
  }

  public Transport transport() {
    return transport;
  }

  /**
   * The session is now this principal's: it is registered for its user's pushes on this node and in the
   * cluster. Completes with what the user is owed (PROTOCOL.md 1.1): every message after {@code since} when the
   * client holds its stream up to there in {@code epoch}, else every message no session acknowledged. Write it
   * with {@link #replay} right after the auth reply; pushes wait until then.
   */
  Future<OwedMessages> authenticate(Principal principal, long since, String epoch) {
    this.principal = principal;
    services.vertx().cancelTimer(authTimer);
    scheduleExpiry();
    userStream = new UserStreamCursor(services.vertx(), services.userStreams(), principal.user(), this::send);
    services.localUsers().add(this);
    sessionEvent(log.atDebug(), "session_auth").log();
    String user = principal.user();
    registered = services.users().connect(user);
    return registered
        .compose(v -> services.userStreams().owed(user, since))
        .compose(page -> since < 0 || epoch == null || epoch.equals(page.epoch())
            ? Future.succeededFuture(new OwedMessages(page, since < 0 || page.complete()))
            : services.userStreams().owed(user, -1).map(fromAcked -> new OwedMessages(fromAcked, false)));
  }

  /**
   * Ends a session whose registration at auth failed: refused by {@code limits.connectionsPerUser} (a
   * {@link ProtocolException}, sent to the client already), close 4008 (PROTOCOL.md has no code of its own for it:
   * policy, reconnect after a pause, by when another session of the user may have closed); otherwise the cluster
   * could not count it, 1001 (reconnect).
   */
  void closeRefused(Throwable failure) {
    if (failure instanceof ProtocolException refused) {
      close(CloseCode.POLICY, refused.getMessage());
    } else {
      close(CloseCode.GOING_AWAY, "cluster unavailable: reconnect");
    }
  }

  /**
   * A further {@code auth} with a valid token of the same user (PROTOCOL.md 1.1): the session's claims and expiry
   * become the new token's. Rooms already joined stay joined.
   */
  void refresh(Principal renewed) {
    sessionEvent(log.atDebug(), "session_refresh").log();
    principal = renewed;
    scheduleExpiry();
  }

  private void scheduleExpiry() {
    services.vertx().cancelTimer(expiryTimer);
    expiryTimer = -1;
    if (principal.expiresAt() > 0) {
      long endsAtMs = (principal.expiresAt() + services.config().auth().leewaySeconds()) * 1000;
      expiryTimer = services.vertx().setTimer(Math.max(1, endsAtMs - System.currentTimeMillis()),
          t -> close(CloseCode.TOKEN_EXPIRED, "token expired: get a new token and reconnect"));
    }
  }

  /** What an auth owes the client, and whether it continues the client's position ({@code recovered}). */
  record OwedMessages(UserStreams.UserPage page, boolean recovered) {
  }

  /** Writes what the user is owed, in order and paced (see {@link PacedWriter}), then the pushes that waited. */
  void replay(OwedMessages owed) {
    UserStreams.UserPage page = owed.page();
    List<String> frames = new ArrayList<>(page.seqs().size());
    for (int i = 0; i < page.seqs().size(); i++) {
      frames.add(Frames.privateMessage(page.seqs().get(i), page.messages().get(i)));
    }
    services.metrics().framesOut("private", frames.size());
    paced().write(frames).onSuccess(v -> userStream.replayed(page.latest(), page.epoch()));
  }

  /** A writer for long runs of frames that keeps to what the client takes. */
  PacedWriter paced() {
    return new PacedWriter(services.vertx(), this, services.config().limits().maxQueuedBytes(),
        services.config().heartbeat().timeoutMs());
  }

  /**
   * Runs this session's presence writes for a room one after the other, each once the previous completed (failed
   * or not): the cluster could otherwise apply a join, leave, join of one session in another order.
   */
  Future<Void> inPresenceOrder(String room, Supplier<Future<Void>> write) {
    Future<Void> previous = presenceWrites.getOrDefault(room, Future.succeededFuture());
    Future<Void> next = previous.transform(r -> write.get());
    presenceWrites.put(room, next);
    next.onComplete(r -> presenceWrites.remove(room, next));
    return next;
  }

  /** The session's own send took {@code position} in its user's stream. */
  void sentOwn(StreamPosition position) {
    if (userStream != null) {
      userStream.onOwnSend(position);
    }
  }

  @Override
  public String user() {
    return principal.user();
  }

  @Override
  public Context context() {
    return context;
  }

  @Override
  public void onPrivateMessage(StreamPosition position, String frame) {
    if (userStream != null && !closed) {
      services.metrics().framesOut("private", 1);
      userStream.onPush(position, frame);
    }
  }

  @Override
  public void checkStreamEpoch() {
    if (userStream != null && !closed) {
      userStream.checkEpoch();
    }
  }

  @Override
  public void disconnectByServer() {
    close(CloseCode.UNAUTHORIZED, "disconnected by the server");
  }

  /** One inbound text frame, already checked against the size limit. */
  public void onText(String text) {
    touch();
    if (closed) {
      return;
    }
    if (pendingAuth != null) {
      // the connection may close while the token is checked: then its queued requests are dropped, or a join
      // would announce a member of a session that no longer exists
      pendingAuth.onComplete(r -> {
        if (!closed) {
          requests.handle(text);
        }
      });
      return;
    }
    requests.handle(text);
  }

  public void onBinary() {
    touch();
    services.metrics().frameIn("binary");
    sendError(null, ProtocolException.badRequest("binary frames are not supported: send JSON text frames"));
  }

  /** Any sign of life from the client (a frame or a pong). */
  public void touch() {
    lastSeenMs = System.currentTimeMillis();
  }

  public long lastSeenMs() {
    return lastSeenMs;
  }

  void pinged() {
    pings = true;
  }

  /**
   * True once the client sent a {@code ping}. Over a transport the node cannot ping (SockJS's HTTP transports), a
   * silence longer than {@code heartbeat.timeoutMs} from such a client means it is gone.
   */
  boolean pings() {
    return pings;
  }

  void send(String frame) {
    if (closed) {
      return;
    }
    transport.write(frame);
    checkOutboundQueue();
  }

  /** A client whose queue passed {@code limits.maxQueuedBytes} is closed (4008) rather than buffered without end. */
  private void checkOutboundQueue() {
    if (transport.writeQueueFull()) {
      sessionEvent(log.atInfo(), "slow_consumer").log();
      services.metrics().slowConsumer();
      close(CloseCode.POLICY, "slow consumer: outbound queue over limit");
    }
  }

  void sendOk(JsonObject ok) {
    services.metrics().framesOut("reply", 1);
    send(ok.encode());
  }

  /** A log event about this session: node, session and user as fields (never the token). */
  private LoggingEventBuilder sessionEvent(LoggingEventBuilder builder, String event) {
    return builder.setMessage("event=" + event)
        .addKeyValue("node", services.nodeId())
        .addKeyValue("session", id)
        .addKeyValue("user", principal == null ? "-" : principal.user())
        .addKeyValue("transport", transport.kind());
  }

  /** History reads, recoveries and presence share one token bucket per connection ({@code limits.readsPerSecond}). */
  boolean mayRead() {
    long now = System.nanoTime();
    if (reads == null) {
      ParleyConfig.ReadLimits limits = services.config().reads();
      reads = new TokenBucket(limits.perSecond(), limits.burst(), now);
    }
    return reads.tryTake(now);
  }

  /** Publishes and sends share one token bucket per connection ({@code limits.publishPerSecond}). */
  boolean mayPublish() {
    long now = System.nanoTime();
    if (publishes == null) {
      ParleyConfig.Limits limits = services.config().limits();
      publishes = new TokenBucket(limits.publishPerSecond(), limits.publishBurst(), now);
    }
    return publishes.tryTake(now);
  }

  void sendError(Object requestId, Throwable failure) {
    services.metrics().framesOut("error", 1);
    if (failure instanceof ProtocolException e) {
      services.metrics().error(e.code().wireName());
      send(Frames.error(requestId, e.code(), e.getMessage()));
      if (e.code() == ErrorCode.BAD_REQUEST) {
        countProtocolError();
      }
    } else if (ClusterFailures.isUnavailable(failure)) {
      sessionEvent(log.atWarn(), "cluster_unavailable").addKeyValue("error", failure.toString()).log();
      services.metrics().error(ErrorCode.UNAVAILABLE.wireName());
      send(Frames.error(requestId, ErrorCode.UNAVAILABLE, ClusterFailures.isMinority(failure)
          ? "this node is cut off from the cluster's majority; retry with the same id, on another node if it persists"
          : "the cluster cannot serve this now; retry"));
    } else {
      sessionEvent(log.atError(), "request_failed").setCause(failure).log();
      services.metrics().error(ErrorCode.INTERNAL.wireName());
      send(Frames.error(requestId, ErrorCode.INTERNAL, "internal error"));
    }
  }

  /** A client that keeps sending garbage is closed (4008) once it exhausts its error budget. */
  private void countProtocolError() {
    long now = System.nanoTime();
    if (protocolErrors == null) {
      ParleyConfig.Limits limits = services.config().limits();
      protocolErrors = new TokenBucket(limits.protocolErrorsPerSecond(), limits.protocolErrorBurst(), now);
    }
    if (!protocolErrors.tryTake(now)) {
      close(CloseCode.POLICY, "too many protocol errors");
    }
  }

  /** Sends what {@link #queue} wrote. */
  void flush() {
    if (!closed) {
      transport.flush();
    }
  }

  /** A shared push, sent at the hub's next {@link #flush()}. */
  void queue(SharedFrame frame) {
    if (!closed) {
      transport.write(frame);
      checkOutboundQueue();
    }
  }

  /**
   * Closes the connection with a code and releases everything the session holds (rooms, presence) at once,
   * without waiting for the client to answer the close. Completes when presence is cleaned up.
   */
  public Future<Void> close(CloseCode code, String reason) {
    if (!closed) {
      sessionEvent(log.atDebug(), "session_close").addKeyValue("code", code.code()).addKeyValue("reason", reason).log();
      services.metrics().disconnected(Integer.toString(code.code()));
      transport.close(code, reason);
      cleanup();
    }
    return cleanedUp.future();
  }

  /** The transport closed (client went away or the close completed). */
  public void onTransportClosed() {
    if (!closed) {
      services.metrics().disconnected(ParleyMetrics.CLIENT_CLOSE);
      sessionEvent(log.atDebug(), "session_end").log();
    }
    cleanup();
  }

  private void cleanup() {
    if (closed) {
      return;
    }
    closed = true;
    services.vertx().cancelTimer(authTimer);
    services.vertx().cancelTimer(expiryTimer);
    services.metrics().connectionClosed(transport.kind());
    List<Future<Void>> leaving = new ArrayList<>();
    rooms.forEach((room, subscription) ->
        leaving.add(subscription.withdraw(() -> services.presence().leave(room, principal.user(), id))));
    rooms.clear();
    if (principal != null) {
      userStream.close();
      services.localUsers().remove(this);
      // after the auth's registration, which a close during auth would otherwise overtake; a session the limit
      // refused was never counted
      leaving.add(registered.transform(r -> r.failed() && r.cause() instanceof ProtocolException
          ? Future.succeededFuture() : services.users().disconnect(principal.user())));
    }
    onClosed.accept(this);
    Future.join(leaving).onComplete(r -> cleanedUp.tryComplete());
  }
}
