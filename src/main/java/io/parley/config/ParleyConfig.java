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
    PresenceLimits presence,
    ReadLimits reads,
    Heartbeat heartbeat,
    Shutdown shutdown,
    MetricsConfig metrics,
    MemoryLimits memory) {

  /**
   * DoS guards on the cluster's memory (0 = no limit, each): {@code maxRooms} room streams held cluster-wide (new
   * rooms refused beyond, existing ones go on), {@code maxStreams} streams of rooms and users together,
   * {@code maxRoomBytes} and {@code maxUserStreamBytes} UTF-8 bytes of one stream's kept messages (the oldest leave
   * to make room; a message larger than that alone is refused), {@code streamsPerUser} new streams (rooms, and
   * other users' streams) one user may make per {@code streamsPerUserWindowMs} cluster-wide, and
   * {@code connectionsPerUser} sessions of one user cluster-wide.
   */
  public record MemoryLimits(int maxRooms, int maxStreams, int maxRoomBytes, int maxUserStreamBytes,
                             int streamsPerUser, long streamsPerUserWindowMs, int connectionsPerUser) {

    /** Less would not hold one message of a few hundred bytes with its envelope. */
    static final int MIN_STREAM_BYTES = 1024;
  }

  /**
   * Where {@code /metrics} is served: {@code port} 0 (the default) on the client listener, as every other endpoint;
   * otherwise on a listener of its own at {@code host} ({@code http.host} when empty) and {@code port}, and not on
   * the client port at all.
   */
  public record MetricsConfig(String host, int port) {

    public boolean separate() {
      return port > 0;
    }
  }

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
   * store. Expired messages leave the store every {@code sweepIntervalMs}. A stream untouched for
   * {@code idleEvictMs} leaves memory (0: never; the store keeps it).
   */
  public record StoreConfig(String kind, String path, String url, String user, String password, int memoryMessages,
                            long sweepIntervalMs, long idleEvictMs) {

    public static final java.util.Set<String> KINDS = java.util.Set.of("memory", "embedded", "postgres");

    @Override
    public String toString() {
      return "StoreConfig[kind=" + kind + ", path=" + path + ", url=" + url + ", user=" + user + "]";
    }
  }

  /** HTTP listener. {@code allowedOrigins} empty means same origin only; {@code "*"} allows any (demo only). */
  /**
   * The client listener. {@code headerTimeoutMs}: a connection must complete each request's headers within this
   * long of its first byte (of accepting it, for the first request), else it is closed (408 when it sent part of
   * a request). {@code idleTimeoutMs}: a connection that is not a session (a plain HTTP keep-alive, between
   * requests) is closed after this long without a request. Neither applies while a request is being answered
   * (SockJS streaming and polling) nor to WebSocket sessions, which have the heartbeat.
   */
  public record HttpConfig(String host, int port, List<String> allowedOrigins, int maxRequestBytes,
                           long headerTimeoutMs, long idleTimeoutMs) {

    /** Shorter would cut clients on slow links; longer would let idle sockets pile up. */
    static final long MIN_TIMEOUT_MS = 100;
  }

  /**
   * JWT verification. The secret comes from {@code secret}, else from {@code secretFile}; with
   * {@code generateSecret} (local demo only) a missing file is created with a random secret.
   * {@code publicKeys} are {@code ALG:/path/to/key.pem} entries (RS256, ES256...) verified besides HS256.
   * {@code devTokenEndpoint} (local demo only) serves {@code POST /dev/token}: a token for any user name.
   * {@code cacheSize} tokens that verified are remembered, so presenting one again skips its signature check
   * (0 = no cache). {@code issuer} and {@code audience}, when not empty, must be the token's {@code iss} and one of
   * its {@code aud} (PROTOCOL.md 1.1, "JWT"); empty: not checked.
   */
  public record AuthConfig(long timeoutMs, boolean devTokenEndpoint, String secret, String secretFile,
                           boolean generateSecret, boolean requireExp, int leewaySeconds, List<String> publicKeys,
                           int cacheSize, long revocationTtlMs, String issuer, String audience) {
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
   *
   * <p>{@code tls}: the Vert.x event bus between nodes over TLS with mutual authentication (Hazelcast's own
   * connections have no TLS in its open-source edition).
   */
  public record ClusterConfig(String name, String host, int port, String discovery, List<String> members,
                              String serviceDns, int eventBusPort, long failureDetectionMs, int minimumMembers,
                              ClusterTls tls) {

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
   * The event bus over TLS: this node's certificate ({@code certPath}, PEM, its chain after it) and private key
   * ({@code keyPath}, PEM, PKCS#8 or PKCS#1), and the CA ({@code caPath}, PEM) that signed every node's
   * certificate. Each node presents its certificate and accepts only peers presenting one the CA signed. All three
   * empty: plain TCP.
   */
  public record ClusterTls(String certPath, String keyPath, String caPath) {

    public boolean enabled() {
      return !certPath.isEmpty() || !keyPath.isEmpty() || !caPath.isEmpty();
    }
  }

  /**
   * DoS guards: the largest inbound text frame, rooms one connection may join, bytes queued to a slow client,
   * publishes and sends per connection (token bucket), protocol errors per connection before it is closed
   * (token bucket), and new connections per source address per second (0 = no limit).
   *
   * <p>{@code connectionsPerIp}: open connections per source address (0 = no limit); more are refused at once
   * (HTTP 429, or close 4029 after a WebSocket upgrade). {@code maxConnections}: the node's open connections
   * beyond which new sessions get close 1013 (0 = automatic: the process's open-file limit less a reserve).
   * {@code maxHeapFraction}: likewise once the heap outside the young generation is fuller than this fraction
   * of the maximum heap (1 = off).
   */
  public record Limits(int maxFrameBytes, int maxRoomsPerConnection, int maxQueuedBytes,
                       double publishPerSecond, int publishBurst,
                       double protocolErrorsPerSecond, int protocolErrorBurst,
                       int connectionsPerIpPerSecond, int connectionsPerIp, int maxConnections,
                       double maxHeapFraction) {

    /** Without an open-file limit to size it by, the automatic {@code maxConnections}. */
    static final int FALLBACK_MAX_CONNECTIONS = 10_000;

    /** {@code maxConnections}, or when 0, the open-file limit less a reserve for the cluster, store and jars. */
    public int effectiveMaxConnections() {
      if (maxConnections > 0) {
        return maxConnections;
      }
      long files = openFileLimit();
      if (files <= 0) {
        return FALLBACK_MAX_CONNECTIONS;
      }
      long reserve = Math.max(256, files / 50);
      return (int) Math.max(64, Math.min(Integer.MAX_VALUE, files - reserve));
    }

    private static long openFileLimit() {
      java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

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

  /**
   * DoS guard on what a client can make a node read and send back: {@code history}, {@code join} with
   * {@code since} and {@code presence} share one token bucket per connection ({@code limits.readsPerSecond},
   * {@code limits.readBurst}); beyond it, {@code rate_limited}. A {@code history} reply holds at most
   * {@code limits.maxReplyBytes} of messages, and never more than a client's queue may hold.
   */
  public record ReadLimits(double perSecond, int burst, int maxReplyBytes) {
  }

  /**
   * A {@code presence} reply lists at most {@code maxListed} users (PROTOCOL.md 1.1: with {@code count}); a room
   * with more than {@code maxPushMembers} users sends its count, at most once per {@code fanout.presenceIntervalMs},
   * instead of a push per join and leave.
   */
  public record PresenceLimits(int maxListed, int maxPushMembers) {
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
            s.integer("http.maxRequestBytes"), s.whole("http.headerTimeoutMs"), s.whole("http.idleTimeoutMs")),
        new AuthConfig(s.whole("auth.timeoutMs"), s.bool("auth.devTokenEndpoint"), s.string("auth.jwt.secret"),
            s.string("auth.jwt.secretFile"), s.bool("auth.jwt.generateSecret"), s.bool("auth.jwt.requireExp"),
            s.integer("auth.jwt.leewaySeconds"), s.strings("auth.jwt.publicKeys"), s.integer("auth.jwt.cacheSize"),
            s.whole("auth.revocationTtlMs"), s.string("auth.jwt.issuer"), s.string("auth.jwt.audience")),
        new ClusterConfig(s.string("cluster.name"), s.string("cluster.host"), s.integer("cluster.port"),
            s.string("cluster.discovery"), s.strings("cluster.members"), s.string("cluster.serviceDns"),
            s.integer("cluster.eventBusPort"), s.whole("cluster.failureDetectionMs"),
            s.integer("cluster.minimumMembers"),
            new ClusterTls(s.string("cluster.tls.certPath"), s.string("cluster.tls.keyPath"),
                s.string("cluster.tls.caPath"))),
        s.strings("api.keys"),
        new StoreConfig(s.string("store.kind"), s.string("store.path"), s.string("store.url"), s.string("store.user"),
            s.string("store.password"), s.integer("store.memoryMessages"), s.whole("store.sweepIntervalMs"),
            s.whole("store.idleEvictMs")),
        new History(s.integer("history.size"), s.whole("history.ttlMs"), roomRules(s)),
        new UserStreams(s.integer("users.history.size"), s.whole("users.history.ttlMs")),
        s.whole("dedup.windowMs"),
        new Limits(s.integer("limits.maxFrameBytes"), s.integer("limits.maxRoomsPerConnection"),
            s.integer("limits.maxQueuedBytes"),
            s.decimal("limits.publishPerSecond"), s.integer("limits.publishBurst"),
            s.decimal("limits.protocolErrorsPerSecond"), s.integer("limits.protocolErrorBurst"),
            s.integer("limits.connectionsPerIpPerSecond"), s.integer("limits.connectionsPerIp"),
            s.integer("limits.maxConnections"), s.decimal("limits.maxHeapFraction")),
        new Fanout(s.whole("fanout.batchIntervalMs"), s.whole("fanout.presenceIntervalMs")),
        new PresenceLimits(s.integer("presence.maxListed"), s.integer("presence.maxPushMembers")),
        new ReadLimits(s.decimal("limits.readsPerSecond"), s.integer("limits.readBurst"),
            s.integer("limits.maxReplyBytes")),
        new Heartbeat(s.whole("heartbeat.intervalMs"), s.whole("heartbeat.timeoutMs")),
        new Shutdown(s.whole("shutdown.drainDelayMs"), s.whole("shutdown.gracePeriodMs")),
        new MetricsConfig(s.string("metrics.host"), s.integer("metrics.port")),
        new MemoryLimits(s.integer("limits.maxRooms"), s.integer("limits.maxStreams"),
            s.integer("limits.maxRoomBytes"), s.integer("limits.maxUserStreamBytes"),
            s.integer("limits.streamsPerUser"), s.whole("limits.streamsPerUserWindowMs"),
            s.integer("limits.connectionsPerUser")));
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
    require(http.headerTimeoutMs >= HttpConfig.MIN_TIMEOUT_MS,
        "http.headerTimeoutMs must be >= " + HttpConfig.MIN_TIMEOUT_MS);
    require(http.idleTimeoutMs >= HttpConfig.MIN_TIMEOUT_MS, "http.idleTimeoutMs must be >= " + HttpConfig.MIN_TIMEOUT_MS);
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
    if (cluster.tls.enabled()) {
      require(!cluster.tls.certPath.isEmpty() && !cluster.tls.keyPath.isEmpty() && !cluster.tls.caPath.isEmpty(),
          "cluster.tls.certPath, cluster.tls.keyPath and cluster.tls.caPath go together: set all three (PEM files) "
              + "for TLS on the event bus, or none");
      for (String[] file : new String[][]{{"cluster.tls.certPath", cluster.tls.certPath},
          {"cluster.tls.keyPath", cluster.tls.keyPath}, {"cluster.tls.caPath", cluster.tls.caPath}}) {
        require(java.nio.file.Files.isReadable(java.nio.file.Path.of(file[1])),
            file[0] + " " + file[1] + " is not a readable file");
      }
    }
    require(apiKeys.stream().allMatch(key -> key.length() >= 32), "api.keys must each be at least 32 characters");
    require(auth.cacheSize >= 0, "auth.jwt.cacheSize must be >= 0 (0 = no cache)");
    require(auth.revocationTtlMs >= 1000, "auth.revocationTtlMs must be >= 1000");
    for (String[] claim : new String[][]{{"auth.jwt.issuer", auth.issuer}, {"auth.jwt.audience", auth.audience}}) {
      require(claim[1].equals(claim[1].strip()) && claim[1].length() <= 1024,
          claim[0] + " must not begin or end with spaces and be at most 1024 characters (empty = not checked)");
    }
    require(!auth.devTokenEndpoint || isLoopback(http.host),
        "auth.devTokenEndpoint hands a token to anyone who asks: it is for the local demo only and needs http.host "
            + "to be a loopback address (127.0.0.1, ::1 or localhost), not " + http.host
            + "; turn auth.devTokenEndpoint off (PARLEY_AUTH_DEV_TOKEN_ENDPOINT=false) or listen on loopback");
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
    require(store.idleEvictMs == 0 || store.idleEvictMs >= 1000, "store.idleEvictMs must be 0 (never) or >= 1000");
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
    require(limits.connectionsPerIp >= 0, "limits.connectionsPerIp must be >= 0 (0 = no limit)");
    require(limits.maxConnections >= 0, "limits.maxConnections must be >= 0 (0 = automatic, from the open-file limit)");
    require(limits.maxHeapFraction > 0 && limits.maxHeapFraction <= 1,
        "limits.maxHeapFraction must be > 0 and <= 1 (1 = off)");
    require(memory.maxRooms >= 0, "limits.maxRooms must be >= 0 (0 = no limit)");
    require(memory.maxStreams >= 0, "limits.maxStreams must be >= 0 (0 = no limit)");
    require(memory.maxStreams == 0 || memory.maxRooms == 0 || memory.maxStreams >= memory.maxRooms,
        "limits.maxStreams counts rooms and users together: it must be >= limits.maxRooms (or 0 = no limit)");
    for (String[] bytes : new String[][]{{"limits.maxRoomBytes", Integer.toString(memory.maxRoomBytes)},
        {"limits.maxUserStreamBytes", Integer.toString(memory.maxUserStreamBytes)}}) {
      int value = Integer.parseInt(bytes[1]);
      require(value == 0 || value >= MemoryLimits.MIN_STREAM_BYTES,
          bytes[0] + " must be 0 (no limit) or >= " + MemoryLimits.MIN_STREAM_BYTES);
    }
    require(memory.streamsPerUser >= 0, "limits.streamsPerUser must be >= 0 (0 = no limit)");
    require(memory.streamsPerUserWindowMs >= 1000, "limits.streamsPerUserWindowMs must be >= 1000");
    require(memory.connectionsPerUser >= 0, "limits.connectionsPerUser must be >= 0 (0 = no limit)");
    require(fanout.batchIntervalMs >= 0 && fanout.batchIntervalMs <= Fanout.MAX_BATCH_INTERVAL_MS,
        "fanout.batchIntervalMs must be 0.." + Fanout.MAX_BATCH_INTERVAL_MS + " (0 = no batching)");
    require(fanout.presenceIntervalMs >= 0 && fanout.presenceIntervalMs <= Fanout.MAX_PRESENCE_INTERVAL_MS,
        "fanout.presenceIntervalMs must be 0.." + Fanout.MAX_PRESENCE_INTERVAL_MS + " (0 = no batching)");
    require(presence.maxListed >= 1, "presence.maxListed must be >= 1");
    require(presence.maxPushMembers >= 1, "presence.maxPushMembers must be >= 1");
    require(reads.perSecond > 0 && reads.burst >= 1, "limits.readsPerSecond and readBurst must be > 0");
    require(reads.maxReplyBytes >= 1024, "limits.maxReplyBytes must be >= 1024");
    require(heartbeat.intervalMs > 0, "heartbeat.intervalMs must be > 0");
    require(heartbeat.timeoutMs > heartbeat.intervalMs, "heartbeat.timeoutMs must be > heartbeat.intervalMs");
    require(metrics.port >= 0 && metrics.port <= 65535,
        "metrics.port must be 0..65535 (0 = /metrics on the client port, http.port)");
    require(!metrics.separate() || metrics.port != http.port,
        "metrics.port must differ from http.port (0 = /metrics on the client port)");
    require(metrics.separate() || metrics.host.isEmpty(),
        "metrics.host needs metrics.port: set both for a separate /metrics listener, or neither");
    require(shutdown.drainDelayMs >= 0, "shutdown.drainDelayMs must be >= 0");
    require(shutdown.gracePeriodMs > shutdown.drainDelayMs, "shutdown.gracePeriodMs must be > shutdown.drainDelayMs");
  }

  /** localhost, or an IP literal in 127.0.0.0/8 or ::1; names other than localhost are not resolved (not loopback). */
  static boolean isLoopback(String host) {
    String h = host.strip();
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (!h.matches("[0-9.]+") && !(h.contains(":") && h.matches("[0-9A-Fa-f:.]+"))) {
      return false; // a name: resolving it here would trust DNS
    }
    try {
      return java.net.InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
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
