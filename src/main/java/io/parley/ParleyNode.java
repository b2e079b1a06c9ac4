package io.parley;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.api.ServerApi;
import io.parley.auth.SecretResolver;
import io.parley.auth.TokenMinter;
import io.parley.auth.TokenVerifier;
import io.parley.cluster.ClusterQuorum;
import io.parley.cluster.ClusterSetup;
import io.parley.cluster.DepartureWatcher;
import io.parley.cluster.MemberLossCheck;
import io.parley.cluster.MergeRepair;
import io.parley.cluster.NodeDirectory;
import io.parley.cluster.Revocations;
import io.parley.cluster.RequestDedup;
import io.parley.cluster.UserDirectory;
import io.parley.hub.LocalUsers;
import io.parley.cluster.Presence;
import io.parley.cluster.RoomBus;
import io.parley.cluster.HistoryExpiry;
import io.parley.cluster.RoomHistory;
import io.parley.cluster.RoomPublisher;
import io.parley.cluster.StoreGuard;
import io.parley.cluster.StreamEviction;
import io.parley.cluster.StreamLimits;
import io.parley.cluster.UserStreams;
import io.parley.store.StoreKinds;
import io.parley.store.StreamStore;
import io.parley.config.ParleyConfig;
import io.parley.hub.HubShards;
import io.parley.hub.NodeHub;
import io.parley.metrics.ParleyMetrics;
import io.parley.session.ConnectionRateLimiter;
import io.parley.cluster.LiveSession;
import io.parley.session.SessionServices;
import io.parley.transport.DevTokenEndpoint;
import io.parley.transport.GatewayVerticle;
import io.parley.transport.NodeState;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A running parley node: a clustered Vert.x instance with its Hazelcast member, the node hub, and one gateway
 * per event loop. Started by {@link ParleyMain}, and by tests (several in one JVM).
 */
public final class ParleyNode {

  private static final Logger log = LoggerFactory.getLogger(ParleyNode.class);

  private final Vertx vertx;
  private final ParleyConfig config;
  private final HazelcastClusterManager clusterManager;
  private final NodeState state;
  private final DepartureWatcher departures;
  private final MergeRepair mergeRepair;
  private final NodeDirectory nodeDirectory;
  private final List<GatewayVerticle> gateways;
  private final int port;
  private final String nodeId;

  private ParleyNode(Vertx vertx, ParleyConfig config, HazelcastClusterManager clusterManager, NodeState state,
                     DepartureWatcher departures, MergeRepair mergeRepair, List<GatewayVerticle> gateways,
                     int port, String nodeId, NodeDirectory nodeDirectory) {
    this.vertx = vertx;
    this.config = config;
    this.clusterManager = clusterManager;
    this.state = state;
    this.departures = departures;
    this.mergeRepair = mergeRepair;
    this.nodeDirectory = nodeDirectory;
    this.gateways = gateways;
    this.port = port;
    this.nodeId = nodeId;
  }

  public static Future<ParleyNode> start(ParleyConfig config) {
    String secret;
    try {
      secret = SecretResolver.resolve(config.auth());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ParleyMetrics metrics = new ParleyMetrics(registry);
    StreamStore store;
    try {
      store = StoreKinds.open(config.store(), metrics::storeCommitted);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    HazelcastClusterManager clusterManager = new HazelcastClusterManager(
        ClusterSetup.hazelcastConfig(config.cluster(), store, config.store().memoryMessages(),
            config.store().idleEvictMs()));
    VertxOptions options = vertxOptions(config);
    return Vertx.builder()
        .with(options)
        .withClusterManager(clusterManager)
        .withMetrics(new MicrometerMetricsFactory(registry))
        .buildClustered()
        .onFailure(e -> store.close())
        .compose(vertx -> deploy(vertx, config, secret, clusterManager, registry, metrics, store,
            options.getEventLoopPoolSize()));
  }

  private static VertxOptions vertxOptions(ParleyConfig config) {
    VertxOptions options = new VertxOptions()
        .setPreferNativeTransport(true)
        .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            // no event-bus address label: one address per room would make one series per room; no HTTP path or
            // route; and the HTTP method only from a fixed set (ParleyMetrics.httpMethodTags), since a client
            // may send any token as a method and each new one would add a dozen series before any auth
            .setLabels(EnumSet.of(Label.EB_SIDE, Label.EB_FAILURE, Label.HTTP_CODE, Label.POOL_TYPE))
            .setServerRequestTagsProvider(ParleyMetrics::httpMethodTags));
    String clusterAddress = ClusterSetup.resolve(config.cluster().host());
    options.getEventBusOptions()
        .setHost(clusterAddress)
        .setPort(config.cluster().eventBusPort())
        .setClusterPublicHost(clusterAddress)
        // Vert.x keeps an event-bus connection to a node that left and only pings it every 20 s: after a network
        // split it would resume at the pace of TCP's retransmission backoff (seconds, longer the longer the split),
        // delaying every message to the merged node. Unacknowledged data for this long drops it instead, and the
        // next message opens a fresh one. (Epoll only; a paused JVM's kernel still acknowledges.)
        .setTcpUserTimeout((int) Math.min(Integer.MAX_VALUE, config.cluster().failureDetectionMs()));
    ClusterSetup.eventBusTls(options.getEventBusOptions(), config.cluster().tls());
    return options;
  }

  private static Future<ParleyNode> deploy(Vertx vertx, ParleyConfig config, String secret,
                                           HazelcastClusterManager clusterManager, PrometheusMeterRegistry registry,
                                           ParleyMetrics metrics, StreamStore store, int eventLoops) {
    HazelcastInstance hazelcast = clusterManager.getHazelcastInstance();
    ((VertxInternal) vertx).addCloseHook(completion -> {
      store.close(); // commits what is queued; Vert.x closes its sessions and the cluster next
      completion.succeed();
    });
    try {
      StoreGuard.check(hazelcast, store);
    } catch (RuntimeException e) {
      log.atError().setMessage("event=start_refused").addKeyValue("error", e.getMessage()).log();
      return vertx.close().transform(r -> Future.failedFuture(e));
    }
    // parley's member attribute, not the member's UUID, which Hazelcast replaces when it merges a split
    String nodeId = ClusterSetup.nodeIdOf(hazelcast.getCluster().getLocalMember());
    int memoryMessages = config.store().memoryMessages();
    RoomHistory history = new RoomHistory(hazelcast, vertx, config.history(), store, memoryMessages,
        config.memory().maxRoomBytes());
    RoomBus bus = new RoomBus(vertx.eventBus(), history::presencePushes, config.presence().maxPushMembers());
    new HistoryExpiry(history, vertx, metrics).start();
    Presence presence = new Presence(hazelcast, bus, vertx, nodeId);
    UserStreams userStreams = new UserStreams(hazelcast, vertx, config.users(), store, memoryMessages,
        config.memory().maxUserStreamBytes());
    StreamLimits streamLimits = new StreamLimits(hazelcast, vertx, config.memory(), metrics);
    if (!store.durable()) {
      // with a store, Hazelcast's idle eviction does this (store.idleEvictMs)
      new StreamEviction(hazelcast, vertx, history, userStreams, metrics).start();
    }
    UserDirectory users = new UserDirectory(hazelcast, vertx, nodeId, userStreams, metrics, streamLimits,
        config.memory().connectionsPerUser());
    DepartureWatcher departures = new DepartureWatcher(hazelcast)
        .onDeparture(presence::removeNode)
        .onDeparture(users::removeNode);
    LocalUsers localUsers = new LocalUsers();
    Revocations revocations = new Revocations(hazelcast, vertx, config.auth().revocationTtlMs());
    NodeDirectory nodeDirectory = new NodeDirectory(hazelcast, vertx, nodeId);
    TokenVerifier tokens = new TokenVerifier(vertx, config.auth(), secret).withRevocations(revocations);
    metrics.tokenCache(tokens.cache()::hits, tokens.cache()::misses);
    SessionServices services = new SessionServices(vertx, config, nodeId, tokens, history, presence,
        new RoomPublisher(history, bus, metrics, streamLimits), users, userStreams, localUsers,
        new RequestDedup(hazelcast, vertx, config.dedupWindowMs()),
        new ConnectionRateLimiter(config.limits().connectionsPerIpPerSecond()), metrics, streamLimits);
    ServerApi api = new ServerApi(services, revocations, nodeDirectory);
    DevTokenEndpoint devTokens = config.auth().devTokenEndpoint() && secret != null
        ? new DevTokenEndpoint(new TokenMinter(vertx, secret, config.auth().issuer(), config.auth().audience())) : null;
    ClusterQuorum quorum = ClusterQuorum.of(hazelcast, config.cluster().quorum());
    metrics.clusterQuorum(quorum::present);
    // a minority is not safe, and asking Hazelcast there waits on members it cannot reach: scrapes timed out
    metrics.cluster(() -> hazelcast.getCluster().getMembers().size(),
        () -> quorum.present() && hazelcast.getPartitionService().isClusterSafe());
    NodeState state = new NodeState();
    state.quorum(quorum);
    state.safety(new io.parley.cluster.ClusterSafety(vertx, hazelcast, quorum));
    List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
    MergeRepair mergeRepair = new MergeRepair(hazelcast, vertx, quorum, presence, users,
        () -> Future.all(gateways.stream().map(GatewayVerticle::liveSessions).toList())
            .map(all -> all.<List<LiveSession>>list().stream().flatMap(List::stream).toList()),
        nodeId);
    int instances = config.gateways() > 0 ? config.gateways() : eventLoops;
    HubShards hubs = new HubShards(Math.max(HubShards.COUNT, eventLoops),
        () -> new NodeHub(history, metrics, config.fanout()));
    metrics.roomsWithLocalMembers(hubs::rooms);
    List<Runnable> afterMembersLost = new ArrayList<>(List.of(mergeRepair::afterMembersLost));
    if (!store.durable()) {
      // with no store, rooms and user streams that lost every copy begin new epochs; members here are told
      afterMembersLost.addAll(List.of(hubs::checkEpochs, localUsers::checkEpochs));
    }
    return hubs.deploy(vertx)
        .compose(v -> streamLimits.start())
        .compose(v -> localUsers.listen(vertx.eventBus(), nodeId).completion())
        .compose(v -> localUsers.listenForDisconnects(vertx.eventBus()).completion())
        .compose(v -> metricsListener(vertx, config, registry))
        .compose(v -> vertx.deployVerticle(() -> {
          GatewayVerticle gateway = new GatewayVerticle(services, hubs, state, registry, devTokens, api);
          gateways.add(gateway);
          return gateway;
        }, new DeploymentOptions().setInstances(instances)))
        .map(id -> {
          state.ready();
          mergeRepair.start();
          MemberLossCheck.install(hazelcast, vertx, afterMembersLost);
          ParleyNode node = new ParleyNode(vertx, config, clusterManager, state, departures, mergeRepair, gateways,
              gateways.get(0).actualPort(), nodeId, nodeDirectory);
          nodeDirectory.advertise(node.url(), node::connections, hubs::rooms);
          log.atInfo().setMessage("event=node_ready").addKeyValue("url", node.url()).addKeyValue("node", nodeId)
              .addKeyValue("gateways", instances).addKeyValue("cluster", config.cluster().name())
              .addKeyValue("native_transport", vertx.isNativeTransportEnabled())
              .addKeyValue("store", store.kind())
              .addKeyValue("members", hazelcast.getCluster().getMembers().stream()
                  .map(m -> m.getAddress().getHost() + ":" + m.getAddress().getPort()).toList())
              .log();
          return node;
        })
        .recover(e -> {
          // say why before closing: once Vert.x is closed, nothing can run on its event loops any more
          log.atError().setMessage("event=start_failed").addKeyValue("error", e.toString()).setCause(e).log();
          vertx.close();
          return Future.failedFuture(e);
        });
  }

  /** With {@code metrics.port}: {@code /metrics} on a listener of its own (and only there). */
  private static Future<Void> metricsListener(Vertx vertx, ParleyConfig config, PrometheusMeterRegistry registry) {
    if (!config.metrics().separate()) {
      return Future.succeededFuture();
    }
    io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
    router.get("/metrics").blockingHandler(io.vertx.micrometer.PrometheusScrapingHandler.create(registry), false);
    String host = config.metrics().host().isEmpty() ? config.http().host() : config.metrics().host();
    return vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(router)
        .listen(config.metrics().port(), host)
        .onSuccess(server -> log.info("event=metrics_listening host={} port={}", host, server.actualPort()))
        .mapEmpty();
  }

  public String url() {
    String host = config.http().host().equals("0.0.0.0") ? "127.0.0.1" : config.http().host();
    return "http://" + host + ":" + port;
  }

  public int port() {
    return port;
  }

  /** This node's id: its member attribute {@link ClusterSetup#NODE_ATTRIBUTE}, the same across a split's merge. */
  public String nodeId() {
    return nodeId;
  }

  public ParleyConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public NodeState state() {
    return state;
  }

  public int connections() {
    return gateways.stream().mapToInt(GatewayVerticle::connections).sum();
  }

  /**
   * Drains the node: {@code /ready} goes 503 and new connections are refused, every session is closed with
   * 1001 and its presence removed, then the node leaves the cluster. Bounded by {@code shutdown.gracePeriodMs}.
   */
  public Future<Void> drain() {
    return drainWithDelay(config.shutdown().drainDelayMs());
  }

  /** {@link #drain()} with another delay between {@code /ready} going 503 and the sessions being closed. */
  public Future<Void> drainWithDelay(long drainDelayMs) {
    state.draining();
    ParleyConfig.Shutdown shutdown = new ParleyConfig.Shutdown(drainDelayMs,
        Math.max(config.shutdown().gracePeriodMs(), drainDelayMs + 1000));
    log.info("event=node_draining node={} connections={} delay_ms={} grace_ms={}", nodeId(), connections(),
        shutdown.drainDelayMs(), shutdown.gracePeriodMs());
    long sessionBudgetMs = (shutdown.gracePeriodMs() - shutdown.drainDelayMs()) * 2 / 3;
    return delay(shutdown.drainDelayMs())
        .compose(v -> Future.join(gateways.stream().map(GatewayVerticle::drain).toList()))
        .timeout(shutdown.drainDelayMs() + sessionBudgetMs, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(e -> {
          log.warn("event=drain_incomplete node={} error={}", nodeId(), e.toString());
          return Future.succeededFuture();
        })
        .compose(v -> nodeDirectory.withdraw().otherwise((Void) null))
        .compose(v -> {
          departures.stop();
          mergeRepair.stop();
          return vertx.close();
        })
        .onComplete(r -> log.info("event=node_stopped node={}", nodeId()));
  }

  private Future<Void> delay(long ms) {
    if (ms <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> elapsed = Promise.promise();
    vertx.setTimer(ms, t -> elapsed.complete());
    return elapsed.future();
  }

  /** The Hazelcast member, for operations and for tests that simulate a crash. */
  public HazelcastInstance hazelcast() {
    return clusterManager.getHazelcastInstance();
  }

  /** Stops at once, as a crash would look to the rest of the cluster only in that it leaves cleanly. */
  public Future<Void> close() {
    state.draining();
    return vertx.close();
  }
}
