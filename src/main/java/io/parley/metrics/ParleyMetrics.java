package io.parley.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.protocol.CloseCode;
import io.parley.protocol.ErrorCode;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import io.vertx.core.spi.observability.HttpRequest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The one place that names parley's meters. Every label takes values from a fixed set (transport, request type,
 * error code, close code): never a room or a user, so the number of series does not grow with traffic.
 */
public final class ParleyMetrics {

  public static final String WEBSOCKET = "websocket";
  public static final String SOCKJS = "sockjs";
  /** Frame types counted inbound; anything else a client sends counts as "unknown". */
  private static final Set<String> REQUEST_TYPES = Set.of("auth", "join", "leave", "publish", "send", "presence",
      "history", "ack", "ping", "invalid", "binary", "unknown");
  /** Close codes parley sends; a close the client started counts as "client". */
  public static final String CLIENT_CLOSE = "client";
  private static final String CONNECTS = "parley.connects";
  public static final String HUB_FETCH_GAP = "gap";
  public static final String HUB_FETCH_TAIL = "tail";
  private static final List<String> HUB_FETCH_REASONS = List.of(HUB_FETCH_GAP, HUB_FETCH_TAIL);
  private static final String HUB_FETCHES = "parley.hub.history.fetches";
  private static final String HUB_FETCHES_HELP = "Reads from history of room messages the bus did not bring in time";
  private static final String CONNECTS_HELP = "Connections opened";
  private static final String DISCONNECTS = "parley.disconnects";
  private static final String DISCONNECTS_HELP = "Connections closed, by close code";
  private static final String FRAMES_IN = "parley.frames.in";
  private static final String FRAMES_IN_HELP = "Frames received from clients, by request type";
  private static final String FRAMES_OUT = "parley.frames.out";
  private static final String FRAMES_OUT_HELP = "Frames written to clients, by kind";
  private static final String ERRORS = "parley.errors";
  private static final String ERRORS_HELP = "Error frames sent, by error code";
  private static final String RATE_LIMITED = "parley.rate.limited";
  private static final String RATE_LIMITED_HELP = "Requests or connections refused by a rate limit";
  private static final String LIMIT_REFUSED = "parley.limits.refused";
  private static final String LIMIT_REFUSED_HELP = "Requests or sessions refused by a memory limit (limits.*), by limit";
  /** The memory limits a refusal names (the label values of {@link #LIMIT_REFUSED}). */
  public static final String LIMIT_ROOMS = "maxRooms";
  public static final String LIMIT_STREAMS = "maxStreams";
  public static final String LIMIT_ROOM_BYTES = "maxRoomBytes";
  public static final String LIMIT_USER_STREAM_BYTES = "maxUserStreamBytes";
  public static final String LIMIT_STREAMS_PER_USER = "streamsPerUser";
  public static final String LIMIT_CONNECTIONS_PER_USER = "connectionsPerUser";
  private static final List<String> LIMITS = List.of(LIMIT_ROOMS, LIMIT_STREAMS, LIMIT_ROOM_BYTES,
      LIMIT_USER_STREAM_BYTES, LIMIT_STREAMS_PER_USER, LIMIT_CONNECTIONS_PER_USER);
  private static final String EVICTED = "parley.streams.evicted";
  private static final String EVICTED_HELP =
      "Streams this node's sweep removed from memory once every message expired (no store: store.kind memory)";

  /** HTTP methods counted by name (RFC 9110's and PATCH); any other token a client sends counts as "other". */
  private static final Map<String, Tags> HTTP_METHODS = Map.of(
      "GET", Tags.of("method", "GET"), "HEAD", Tags.of("method", "HEAD"), "POST", Tags.of("method", "POST"),
      "PUT", Tags.of("method", "PUT"), "DELETE", Tags.of("method", "DELETE"),
      "OPTIONS", Tags.of("method", "OPTIONS"), "PATCH", Tags.of("method", "PATCH"),
      "TRACE", Tags.of("method", "TRACE"), "CONNECT", Tags.of("method", "CONNECT"));
  private static final Tags OTHER_METHOD = Tags.of("method", "other");

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> connections;
  private final Counter published;
  private final Counter delivered;
  private final Timer publishStored;
  private final Timer publishDelivered;
  private final Timer eventLoopLag;
  private final Counter privateSent;
  private final Counter roomResets;
  private final DistributionSummary storeCommit;
  private final Counter historyExpired;
  private final Counter slowConsumers;
  private final DistributionSummary fanoutBatch;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public ParleyMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.connections = Map.of(WEBSOCKET, new AtomicInteger(), SOCKJS, new AtomicInteger());
    connections.forEach((transport, count) -> Gauge.builder("parley.connections", count, AtomicInteger::get)
        .description("Open client connections on this node")
        .tag("transport", transport)
        .register(registry));
    this.published = Counter.builder("parley.messages.published")
        .description("Room messages stored and published by clients of this node")
        .register(registry);
    this.delivered = Counter.builder("parley.messages.delivered")
        .description("Frames of room messages written to clients of this node")
        .register(registry);
    this.publishStored = latency("parley.publish.stored",
        "Time from a publish request to its message being stored in the cluster");
    this.publishDelivered = latency("parley.publish.delivered",
        "Time from a message being accepted (its ts) to its frames being written to this node's members");
    this.eventLoopLag = latency("parley.eventloop.lag",
        "How late a timer fired on a gateway's event loop: how long that loop was busy or blocked");
    this.privateSent = Counter.builder("parley.private.sent")
        .description("Private messages accepted from clients and the API of this node")
        .register(registry);
    this.roomResets = Counter.builder("parley.room.resets")
        .description("Rooms with members here whose stream lost continuity (a new epoch): members were sent reset")
        .register(registry);
    this.storeCommit = DistributionSummary.builder("parley.store.commit.writes")
        .description("Writes (messages, acks, trims) this node's store committed together in one transaction")
        .register(registry);
    this.historyExpired = Counter.builder("parley.history.expired")
        .description("Room messages this node's expiry sweep removed from history after history.ttlMs")
        .register(registry);
    this.slowConsumers = Counter.builder("parley.slow.consumers")
        .description("Connections closed because their outbound queue overflowed (4008)")
        .register(registry);
    this.fanoutBatch = DistributionSummary.builder("parley.fanout.batch.pushes")
        .description("Room pushes a gateway handed to its members together, one write per member for all of them")
        .register(registry);
    registerKnownSeries();
  }

  /** Every labelled series exists from the start at 0, so rates and alerts work before the first event. */
  private void registerKnownSeries() {
    connections.keySet().forEach(transport -> counter(CONNECTS, CONNECTS_HELP, "transport", transport));
    REQUEST_TYPES.forEach(type -> counter(FRAMES_IN, FRAMES_IN_HELP, "type", type));
    for (String type : new String[]{"reply", "error", "message", "presence", "private", "reset"}) {
      counter(FRAMES_OUT, FRAMES_OUT_HELP, "type", type);
    }
    for (ErrorCode code : ErrorCode.values()) {
      counter(ERRORS, ERRORS_HELP, "code", code.wireName());
    }
    for (CloseCode code : CloseCode.values()) {
      counter(DISCONNECTS, DISCONNECTS_HELP, "code", Integer.toString(code.code()));
    }
    counter(DISCONNECTS, DISCONNECTS_HELP, "code", CLIENT_CLOSE);
    HUB_FETCH_REASONS.forEach(reason -> counter(HUB_FETCHES, HUB_FETCHES_HELP, "reason", reason));
    counter(RATE_LIMITED, RATE_LIMITED_HELP, "kind", "publish");
    counter(RATE_LIMITED, RATE_LIMITED_HELP, "kind", "read");
    counter(RATE_LIMITED, RATE_LIMITED_HELP, "kind", "connection");
    LIMITS.forEach(limit -> counter(LIMIT_REFUSED, LIMIT_REFUSED_HELP, "limit", limit));
    for (String kind : new String[]{"room", "user"}) {
      counter(EVICTED, EVICTED_HELP, "kind", kind);
    }
  }

  private Timer latency(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  private Counter counter(String name, String description, String tag, String value) {
    return counters.computeIfAbsent(name + '\0' + value, k -> Counter.builder(name)
        .description(description).tag(tag, value).register(registry));
  }

  /**
   * The hub read messages from history that the bus did not bring in time: {@code gap} (a seq missing while
   * later ones arrived) or {@code tail} (the last ones of a burst). Each such read delays those messages.
   */
  public void hubHistoryFetch(String reason) {
    counter(HUB_FETCHES, HUB_FETCHES_HELP, "reason", reason).increment();
  }

  /**
   * The {@code method} label of Vert.x's HTTP server meters, in place of its own (which takes the request's method
   * as sent): a fixed set, so that {@code curl -X ANYTHING} adds no series and no meter.
   */
  public static Iterable<Tag> httpMethodTags(HttpRequest request) {
    return HTTP_METHODS.getOrDefault(request.method().name(), OTHER_METHOD);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void connectionOpened(String transport) {
    connections.get(transport).incrementAndGet();
    counter(CONNECTS, CONNECTS_HELP, "transport", transport).increment();
  }

  public void connectionClosed(String transport) {
    connections.get(transport).decrementAndGet();
  }

  /** @param code a close code parley sent, or {@link #CLIENT_CLOSE} */
  public void disconnected(String code) {
    counter(DISCONNECTS, DISCONNECTS_HELP, "code", code).increment();
  }

  public void frameIn(String type) {
    counter(FRAMES_IN, FRAMES_IN_HELP, "type", REQUEST_TYPES.contains(type) ? type : "unknown").increment();
  }

  /** @param type reply, error, presence, private or message */
  public void framesOut(String type, int count) {
    counter(FRAMES_OUT, FRAMES_OUT_HELP, "type", type).increment(count);
  }

  public void error(String code) {
    counter(ERRORS, ERRORS_HELP, "code", code).increment();
  }

  public void rateLimited(String kind) {
    counter(RATE_LIMITED, RATE_LIMITED_HELP, "kind", kind).increment();
  }

  /** A request or session refused by {@code limit}, one of the {@code LIMIT_*} names. */
  public void limitRefused(String limit) {
    counter(LIMIT_REFUSED, LIMIT_REFUSED_HELP, "limit", limit).increment();
  }

  /** {@code count} streams of {@code kind} (room or user) left memory, their retention over. */
  public void streamsEvicted(String kind, int count) {
    counter(EVICTED, EVICTED_HELP, "kind", kind).increment(count);
  }

  /** The cluster's streams, as this node last counted them (see StreamLimits), read when scraped. */
  public void streams(Supplier<Number> rooms, Supplier<Number> users) {
    Gauge.builder("parley.streams", rooms)
        .description("Streams held in the cluster's memory, by kind, as this node last counted them")
        .tag("kind", "room")
        .register(registry);
    Gauge.builder("parley.streams", users)
        .description("Streams held in the cluster's memory, by kind, as this node last counted them")
        .tag("kind", "user")
        .register(registry);
  }

  public void slowConsumer() {
    slowConsumers.increment();
  }

  /** Rooms with local members, read from the hub when scraped. */
  public void roomsWithLocalMembers(Supplier<Number> count) {
    Gauge.builder("parley.rooms.local", count)
        .description("Rooms with at least one member on this node")
        .register(registry);
  }

  /** Cluster health, read from Hazelcast when scraped. */
  public void cluster(Supplier<Number> members, Supplier<Boolean> safe) {
    Gauge.builder("parley.cluster.members", members)
        .description("Members in the cluster as this node sees it")
        .register(registry);
    Gauge.builder("parley.cluster.safe", () -> safe.get() ? 1 : 0)
        .description("1 when every partition has its backup (a member may fail without data loss)")
        .register(registry);
  }

  /** Whether this node has its cluster quorum, read from Hazelcast when scraped (see ClusterQuorum). */
  public void clusterQuorum(Supplier<Boolean> present) {
    Gauge.builder("parley.cluster.quorum", () -> present.get() ? 1 : 0)
        .description("1 while this node sees cluster.minimumMembers members and serves cluster data; 0 in a "
            + "minority (a network split), where cluster requests get unavailable")
        .register(registry);
  }

  /** The verified-token cache's lookups, read from it when scraped: their ratio tells whether it is large enough. */
  public void tokenCache(Supplier<Number> hits, Supplier<Number> misses) {
    FunctionCounter.builder("parley.auth.token.cache.hits", hits, count -> count.get().doubleValue())
        .description("Token verifications answered by the cache of verified tokens")
        .register(registry);
    FunctionCounter.builder("parley.auth.token.cache.misses", misses, count -> count.get().doubleValue())
        .description("Token verifications that checked the signature and claims (token not cached or no longer)")
        .register(registry);
  }

  public void published(long startNanos) {
    published.increment();
    publishStored.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** {@code frames} frames of one room message written; {@code acceptedAtMillis} is its ts (0 if unknown). */
  public void delivered(int frames, long acceptedAtMillis) {
    delivered.increment(frames);
    framesOut("message", frames);
    if (acceptedAtMillis > 0) {
      publishDelivered.record(Math.max(0, System.currentTimeMillis() - acceptedAtMillis), TimeUnit.MILLISECONDS);
    }
  }

  /** One batch of {@code pushes} room pushes handed to a gateway's members of a room. */
  public void fanoutBatch(int pushes) {
    fanoutBatch.record(pushes);
  }

  public void privateSent() {
    privateSent.increment();
  }

  /** Starts measuring the lag of the event loop of the calling context. */
  public void measureEventLoopLag(Vertx vertx) {
    new EventLoopLag(vertx, eventLoopLag).start();
  }

  public void historyExpired(int messages) {
    historyExpired.increment(messages);
  }

  public void hubReset() {
    roomResets.increment();
  }

  /** The store committed {@code writes} writes in one transaction (any thread). */
  public void storeCommitted(long writes) {
    storeCommit.record(writes);
  }
}
