package io.parley.config;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The node's typed, validated configuration. Built once at start-up from the layered JSON
 * ({@link ConfigLoader}); every duration is in milliseconds, every size in bytes.
 */
public record ParleyConfig(
    int gateways,
    HttpConfig http,
    AuthConfig auth,
    ClusterConfig cluster,
    List<String> apiKeys,
    StoreConfig store,
    History history,
    UserStreams users,
    long dedupWindowMs,
    Limits limits,
    Fanout fanout,
    Heartbeat heartbeat,
    Shutdown shutdown) {

  /**
   * Room history: at most {@code size} messages per room, none stored more than {@code ttlMs} ago (0: kept
   * until overwritten). A room's seq outlives its messages. {@code rooms}: rules for rooms whose name matches a
   * pattern, the first match wins; rooms that match none follow {@code size} and {@code ttlMs}, stored, with
   * presence pushes.
   */
  public record History(int size, long ttlMs, List<RoomRule> rooms) {

    /** The rule of a room: the first whose pattern matches, else the default. */
    public RoomRule ruleFor(String room) {
      for (RoomRule rule : rooms) {
        if (rule.matches(room)) {
          return rule;
        }
      }
      return new RoomRule("*", size, ttlMs, true, true);
    }
  }

  /**
   * Retention of the rooms whose name matches {@code pattern} ({@code *}: any run of characters): messages kept
   * ({@code size}, {@code ttlMs}), whether they are stored at all ({@code store}: false keeps none, in memory or
   * in the store, and costs no write; seqs still count) and whether members get presence join/leave pushes.
   */
  public record RoomRule(String pattern, int size, long ttlMs, boolean store, boolean presence) {

    public boolean matches(String room) {
      return io.parley.auth.RoomPatterns.of(List.of(pattern)).allows(room);
    }

    /** Messages kept: none for a room that is not stored. */
    public int kept() {
      return store ? size : 0;
    }
  }

  /** Every user's stream of private messages: at most {@code size}, none older than {@code ttlMs}. */
  public record UserStreams(int size, long ttlMs) {
  }

  /**
   * Where streams are kept beyond memory: {@code kind} memory (nowhere), embedded (RocksDB in {@code path}, one
   * node only) or postgres ({@code url} as {@code postgresql://host:port/db}, {@code user}, {@code password}).
   * With a store, Hazelcast keeps each stream's newest {@code memoryMessages}; older ones are read from the
   * store. Expired messages leave the store every {@code sweepIntervalMs}.
   */
  public record StoreConfig(String kind, String path, String url, String user, String password, int memoryMessages,
                            long sweepIntervalMs) {

    public static final java.util.Set<String> KINDS = java.util.Set.of("memory", "embedded", "postgres");

    @Override
    public String toString() {
      return "StoreConfig[kind=" + kind + ", path=" + path + ", url=" + url + ", user=" + user + "]";
    }
  }

  /** HTTP listener. {@code allowedOrigins} empty means same origin only; {@code "*"} allows any (demo only). */
  public record HttpConfig(String host, int port, List<String> allowedOrigins, int maxRequestBytes) {
  }

  /**
   * JWT verification. The secret comes from {@code secret}, else from {@code secretFile}; with
   * {@code generateSecret} (local demo only) a missing file is created with a random secret.
   * {@code publicKeys} are {@code ALG:/path/to/key.pem} entries (RS256, ES256...) verified besides HS256.
   * {@code devTokenEndpoint} (local demo only) serves {@code POST /dev/token}: a token for any user name.
   * {@code cacheSize} tokens that verified are remembered, so presenting one again skips its signature check
   * (0 = no cache).
   */
  public record AuthConfig(long timeoutMs, boolean devTokenEndpoint, String secret, String secretFile,
                           boolean generateSecret, boolean requireExp, int leewaySeconds, List<String> publicKeys,
                           int cacheSize, long revocationTtlMs) {
  }

  /**
   * Hazelcast on {@code host:port}. Discovery {@code tcp-ip}: join {@code members} ({@code host:port} list; empty
   * means a cluster of one). Discovery {@code kubernetes-dns}: the members are the addresses behind the headless
   * service {@code serviceDns}.
   *
   * <p>{@code minimumMembers}: how many members a node must see (itself included) to serve anything stored in the
   * cluster; a node that sees fewer, as in the minority after a network split, answers {@code unavailable}, so the
   * two sides of a split cannot both accept writes and lose one side's on the merge. 0 (the default) = automatic:
   * a majority of {@code members} when it lists 3 or more, otherwise off (with 2, a majority would be both, and
   * either one's failure would stop the other); always off with {@code kubernetes-dns}, which cannot know the
   * replica count: set it there to {@code replicas / 2 + 1}. 1 = off.
   */
  public record ClusterConfig(String name, String host, int port, String discovery, List<String> members,
                              String serviceDns, int eventBusPort, long failureDetectionMs, int minimumMembers) {

    public static final String TCP_IP = "tcp-ip";
    public static final String KUBERNETES_DNS = "kubernetes-dns";
    /** Below this many listed members the automatic setting stays off. */
    static final int AUTOMATIC_QUORUM_FROM = 3;

    /** The members a node must see to serve cluster data; 1 when there is no such requirement. */
    public int quorum() {
      if (minimumMembers > 0) {
        return minimumMembers;
      }
      if (discovery.equals(TCP_IP) && members.size() >= AUTOMATIC_QUORUM_FROM) {
        return members.size() / 2 + 1;
      }
      return 1;
    }
  }

  /**
   * DoS guards: the largest inbound text frame, rooms one connection may join, bytes queued to a slow client,
   * publishes and sends per connection (token bucket), protocol errors per connection before it is closed
   * (token bucket), and new connections per source address per second (0 = no limit).
   */
  public record Limits(int maxFrameBytes, int maxRoomsPerConnection, int maxQueuedBytes,
                       double publishPerSecond, int publishBurst,
                       double protocolErrorsPerSecond, int protocolErrorBurst,
                       int connectionsPerIpPerSecond) {

    /** Netty rejects single frames beyond this many times {@code maxFrameBytes} (1009) before parley sees them. */
    static final int FRAME_DECODER_FACTOR = 4;
    /** The largest {@code maxFrameBytes} whose decoder limit still fits an int. */
    static final int MAX_FRAME_BYTES = Integer.MAX_VALUE / FRAME_DECODER_FACTOR;

    /** Past this a single WebSocket frame (parley's decoder and Vert.x's, for SockJS) is refused while being read. */
    public int frameDecoderBytes() {
      return maxFrameBytes * FRAME_DECODER_FACTOR;
    }
  }

  /**
   * Room delivery on a node: each gateway hands a busy room's pushes to its members at most once per
   * {@code batchIntervalMs}. A push that comes sooner waits for that turn together with the ones after it, and each
   * member then gets all of them in one write (one system call) instead of one each; a push after a quiet spell,
   * and one more close behind it, go out at once. 0: every push as it comes. Trades up to that much latency in
   * busy rooms for CPU.
   *
   * <p>Presence pushes (joins and leaves) have their own {@code presenceIntervalMs}: the first after a quiet spell
   * goes at once, later ones wait for the room's next turn or go along with its next message. A reconnect storm
   * then reaches each member as a few writes per interval, not one per join. 0: every presence push as it comes.
   */
  public record Fanout(long batchIntervalMs, long presenceIntervalMs) {

    /** A longer wait would be a broadcast schedule, not a batch. */
    static final long MAX_BATCH_INTERVAL_MS = 1000;
    /** Presence later than this would mislead more than it saves. */
    static final long MAX_PRESENCE_INTERVAL_MS = 5000;
  }

  /** WebSocket ping every {@code intervalMs}; close after {@code timeoutMs} without any inbound frame or pong. */
  public record Heartbeat(long intervalMs, long timeoutMs) {
  }

  /**
   * Draining: {@code drainDelayMs} with {@code /ready} at 503 before sessions are closed (so load balancers stop
   * sending new clients), all of it bounded by {@code gracePeriodMs}.
   */
  public record Shutdown(long drainDelayMs, long gracePeriodMs) {
  }

  public static ParleyConfig from(JsonObject json) {
    Settings s = new Settings(json);
    ParleyConfig config = new ParleyConfig(
        s.integer("node.gateways"),
        new HttpConfig(s.string("http.host"), s.integer("http.port"), s.strings("http.allowedOrigins"),
            s.integer("http.maxRequestBytes")),
        new AuthConfig(s.whole("auth.timeoutMs"), s.bool("auth.devTokenEndpoint"), s.string("auth.jwt.secret"),
            s.string("auth.jwt.secretFile"), s.bool("auth.jwt.generateSecret"), s.bool("auth.jwt.requireExp"),
            s.integer("auth.jwt.leewaySeconds"), s.strings("auth.jwt.publicKeys"), s.integer("auth.jwt.cacheSize"),
            s.whole("auth.revocationTtlMs")),
        new ClusterConfig(s.string("cluster.name"), s.string("cluster.host"), s.integer("cluster.port"),
            s.string("cluster.discovery"), s.strings("cluster.members"), s.string("cluster.serviceDns"),
            s.integer("cluster.eventBusPort"), s.whole("cluster.failureDetectionMs"),
            s.integer("cluster.minimumMembers")),
        s.strings("api.keys"),
        new StoreConfig(s.string("store.kind"), s.string("store.path"), s.string("store.url"), s.string("store.user"),
            s.string("store.password"), s.integer("store.memoryMessages"), s.whole("store.sweepIntervalMs")),
        new History(s.integer("history.size"), s.whole("history.ttlMs"), roomRules(s)),
        new UserStreams(s.integer("users.history.size"), s.whole("users.history.ttlMs")),
        s.whole("dedup.windowMs"),
        new Limits(s.integer("limits.maxFrameBytes"), s.integer("limits.maxRoomsPerConnection"),
            s.integer("limits.maxQueuedBytes"),
            s.decimal("limits.publishPerSecond"), s.integer("limits.publishBurst"),
            s.decimal("limits.protocolErrorsPerSecond"), s.integer("limits.protocolErrorBurst"),
            s.integer("limits.connectionsPerIpPerSecond")),
        new Fanout(s.whole("fanout.batchIntervalMs"), s.whole("fanout.presenceIntervalMs")),
        new Heartbeat(s.whole("heartbeat.intervalMs"), s.whole("heartbeat.timeoutMs")),
        new Shutdown(s.whole("shutdown.drainDelayMs"), s.whole("shutdown.gracePeriodMs")));
    config.validate();
    return config;
  }

  /** {@code history.rooms}: each field of a rule defaults to the room default's. */
  private static List<RoomRule> roomRules(Settings s) {
    int size = s.integer("history.size");
    long ttlMs = s.whole("history.ttlMs");
    List<RoomRule> rules = new java.util.ArrayList<>();
    List<JsonObject> listed = s.objects("history.rooms");
    for (int i = 0; i < listed.size(); i++) {
      Settings rule = new Settings(listed.get(i));
      String at = "history.rooms[" + i + "].";
      String pattern = rule.string("pattern");
      if (pattern.isBlank()) {
        throw new IllegalArgumentException("invalid configuration: " + at + "pattern must be set");
      }
      rules.add(new RoomRule(pattern,
          rule.has("size") ? rule.integer("size") : size,
          rule.has("ttlMs") ? rule.whole("ttlMs") : ttlMs,
          !rule.has("store") || rule.bool("store"),
          !rule.has("presence") || rule.bool("presence")));
    }
    return List.copyOf(rules);
  }

  private void validate() {
    require(gateways >= 0, "node.gateways must be >= 0 (0 = one per event loop)");
    require(!http.host.isBlank(), "http.host must be set");
    require(!cluster.host.isBlank() && !cluster.name.isBlank(), "cluster.host and cluster.name must be set");
    require(http.port >= 0 && http.port <= 65535, "http.port must be 0..65535");
    require(http.maxRequestBytes > 0, "http.maxRequestBytes must be > 0");
    require(auth.timeoutMs > 0, "auth.timeoutMs must be > 0");
    require(cluster.port > 0 && cluster.port <= 65535, "cluster.port must be 1..65535");
    require(cluster.discovery.equals(ClusterConfig.TCP_IP) || cluster.discovery.equals(ClusterConfig.KUBERNETES_DNS),
        "cluster.discovery must be tcp-ip or kubernetes-dns");
    require(!cluster.discovery.equals(ClusterConfig.KUBERNETES_DNS) || !cluster.serviceDns.isBlank(),
        "cluster.serviceDns is required with cluster.discovery=kubernetes-dns");
    require(cluster.failureDetectionMs >= 1000, "cluster.failureDetectionMs must be >= 1000");
    require(cluster.minimumMembers >= 0, "cluster.minimumMembers must be >= 0 (0 = automatic, 1 = off)");
    require(!cluster.discovery.equals(ClusterConfig.TCP_IP) || cluster.members.isEmpty()
            || cluster.minimumMembers <= cluster.members.size(),
        "cluster.minimumMembers must not exceed the number of cluster.members");
    require(apiKeys.stream().allMatch(key -> key.length() >= 32), "api.keys must each be at least 32 characters");
    require(auth.cacheSize >= 0, "auth.jwt.cacheSize must be >= 0 (0 = no cache)");
    require(auth.revocationTtlMs >= 1000, "auth.revocationTtlMs must be >= 1000");
    require(history.size >= 1, "history.size must be >= 1");
    require(history.ttlMs == 0 || history.ttlMs >= 1000, "history.ttlMs must be 0 (no expiry) or >= 1000");
    for (RoomRule rule : history.rooms) {
      require(rule.size >= 1 && (rule.ttlMs == 0 || rule.ttlMs >= 1000),
          "history.rooms pattern " + rule.pattern + ": size must be >= 1, ttlMs 0 or >= 1000");
    }
    require(users.size >= 1, "users.history.size must be >= 1");
    require(users.ttlMs >= 1000, "users.history.ttlMs must be >= 1000");
    require(StoreConfig.KINDS.contains(store.kind), "store.kind must be memory, embedded or postgres");
    require(!store.kind.equals("embedded") || !store.path.isBlank(), "store.path must be set with store.kind=embedded");
    require(!store.kind.equals("postgres") || store.url.matches("postgresql://[^/]+/[^/?]+(\\?.*)?"),
        "store.url must be postgresql://host:port/database with store.kind=postgres");
    require(store.memoryMessages >= 1, "store.memoryMessages must be >= 1");
    require(store.sweepIntervalMs >= 1000, "store.sweepIntervalMs must be >= 1000");
    require(dedupWindowMs >= 1000, "dedup.windowMs must be >= 1000");
    require(limits.maxFrameBytes >= 256, "limits.maxFrameBytes must be >= 256");
    require(limits.maxFrameBytes <= Limits.MAX_FRAME_BYTES,
        "limits.maxFrameBytes must be <= " + Limits.MAX_FRAME_BYTES + " (frame decoders allow "
            + Limits.FRAME_DECODER_FACTOR + " times as much)");
    require(limits.maxRoomsPerConnection >= 1, "limits.maxRoomsPerConnection must be >= 1");
    require(limits.maxQueuedBytes >= limits.maxFrameBytes, "limits.maxQueuedBytes must be >= limits.maxFrameBytes");
    require(limits.publishPerSecond > 0 && limits.publishBurst >= 1, "limits.publishPerSecond and publishBurst must be > 0");
    require(limits.protocolErrorsPerSecond > 0 && limits.protocolErrorBurst >= 1,
        "limits.protocolErrorsPerSecond and protocolErrorBurst must be > 0");
    require(limits.connectionsPerIpPerSecond >= 0, "limits.connectionsPerIpPerSecond must be >= 0 (0 = no limit)");
    require(fanout.batchIntervalMs >= 0 && fanout.batchIntervalMs <= Fanout.MAX_BATCH_INTERVAL_MS,
        "fanout.batchIntervalMs must be 0.." + Fanout.MAX_BATCH_INTERVAL_MS + " (0 = no batching)");
    require(fanout.presenceIntervalMs >= 0 && fanout.presenceIntervalMs <= Fanout.MAX_PRESENCE_INTERVAL_MS,
        "fanout.presenceIntervalMs must be 0.." + Fanout.MAX_PRESENCE_INTERVAL_MS + " (0 = no batching)");
    require(heartbeat.intervalMs > 0, "heartbeat.intervalMs must be > 0");
    require(heartbeat.timeoutMs > heartbeat.intervalMs, "heartbeat.timeoutMs must be > heartbeat.intervalMs");
    require(shutdown.drainDelayMs >= 0, "shutdown.drainDelayMs must be >= 0");
    require(shutdown.gracePeriodMs > shutdown.drainDelayMs, "shutdown.gracePeriodMs must be > shutdown.drainDelayMs");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid configuration: " + message);
    }
  }

  /** True when any origin may connect: only the local demo configuration should say so. */
  public boolean anyOrigin() {
    return http.allowedOrigins.contains("*");
  }
}
