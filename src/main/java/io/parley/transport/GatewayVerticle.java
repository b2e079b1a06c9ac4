package io.parley.transport;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.api.ServerApi;
import io.parley.config.ParleyConfig;
import io.parley.hub.LocalRooms;
import io.parley.hub.HubShards;
import io.parley.cluster.LiveSession;
import io.parley.session.SessionRegistry;
import io.parley.session.SessionServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.List;

/**
 * One gateway per event loop, all sharing the HTTP port: accepts connections on {@code /ws} and {@code /sockjs},
 * keeps its own sessions and room index, and serves the operational endpoints. No protocol logic here.
 */
public final class GatewayVerticle extends VerticleBase {

  private final SessionServices services;
  private final HubShards hub;
  private final NodeState state;
  private final PrometheusMeterRegistry registry;
  private final DevTokenEndpoint devTokens;
  private final ServerApi api;
  private SessionRegistry sessions;
  private HttpServer server;
  private long heartbeatTimer = -1;

  /**
   * @param registry  where meters go, and what {@code /metrics} serves unless {@code metrics.port} gives it a
   *                  listener of its own
   * @param devTokens the demo's token endpoint, or null where it must not exist
   */
  public GatewayVerticle(SessionServices services, HubShards hub, NodeState state, PrometheusMeterRegistry registry,
                         DevTokenEndpoint devTokens, ServerApi api) {
    this.services = services;
    this.devTokens = devTokens;
    this.api = api;
    this.hub = hub;
    this.state = state;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    ParleyConfig config = services.config();
    sessions = new SessionRegistry(services, new LocalRooms(context, hub, services.metrics()), context);
    services.metrics().measureEventLoopLag(vertx);
    heartbeatTimer = vertx.setPeriodic(sessions.heartbeatTickMs(),
        t -> sessions.sweepHeartbeats(System.currentTimeMillis(), config.heartbeat().timeoutMs()));
    ConnectionMetrics connectionMetrics = new ConnectionMetrics(registry, state.connectionCounts());
    ConnectionLimits limits = new ConnectionLimits(config, state.connectionCounts(), connectionMetrics);
    ConnectionGuard guard = new ConnectionGuard(new OriginPolicy(config.http().allowedOrigins()), state,
        connectionMetrics);
    int maxFrame = config.limits().maxFrameBytes();
    WebSocketEndpoint webSockets = new WebSocketEndpoint((ContextInternal) context, sessions, guard, limits, maxFrame,
        config.limits().frameDecoderBytes(), config.limits().maxQueuedBytes());
    server = vertx.createHttpServer(serverOptions(config))
        .connectionHandler(webSockets::install)
        .requestHandler(router(config, guard, limits));
    return server.listen();
  }

  private HttpServerOptions serverOptions(ParleyConfig config) {
    int frameLimit = config.limits().frameDecoderBytes();
    return new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        // no cleartext HTTP/2: nothing here needs it, and Vert.x would otherwise sniff every connection for the h2c
        // preface and keep an h2c-upgrade handler in its pipeline (work on each of a storm's connections, and the
        // "h2c smuggling" path past proxies that forward Upgrade headers)
        .setHttp2ClearTextEnabled(false)
        // SockJS's raw WebSocket transport is still Vert.x's: the same limits and no compression
        .setMaxWebSocketFrameSize(frameLimit)
        .setMaxWebSocketMessageSize(frameLimit)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
  }

  private Router router(ParleyConfig config, ConnectionGuard guard, ConnectionLimits limits) {
    Router router = Router.router(vertx);
    int maxFrame = config.limits().maxFrameBytes();
    int maxQueued = config.limits().maxQueuedBytes();

    router.get("/health").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "up")));
    router.get("/ready").handler(ctx -> answer(ctx, state.ready(services.nodeId())));
    router.get("/ready/safe").handler(ctx -> answer(ctx, state.safe(services.nodeId())));
    // a scrape takes 8-25 ms of CPU (200 ms the first time): on a worker, not on a loop its connections share
    if (!config.metrics().separate()) { // else metrics.port serves them (ParleyNode)
      router.get("/metrics").blockingHandler(PrometheusScrapingHandler.create(registry), false);
    }

    // WebSocket upgrades of /ws never get here (WebSocketUpgrade takes them): this is a plain GET
    router.get(WebSocketEndpoint.PATH)
        .handler(ctx -> ConnectionGuard.endAndClose(ctx, 400, "WebSocket upgrade expected"));
    router.route("/sockjs/*").handler(guard);
    // SockJS reads posted messages (xhr_send) through a body handler: its limit answers 413 past one legal frame
    router.post("/sockjs/*").handler(BodyHandler.create(false).setBodyLimit(config.limits().frameDecoderBytes()));
    router.routeWithRegex(SockJsEndpoint.RECEIVING).handler(SockJsEndpoint::receiving);
    router.route("/sockjs/*").subRouter(new SockJsEndpoint(sessions, limits, maxFrame, maxQueued)
        .router(vertx, config.heartbeat()));
    router.route("/api/*").subRouter(api.router(vertx));
    if (devTokens != null) {
      router.post("/dev/token").handler(BodyHandler.create(false).setBodyLimit(1024)).handler(devTokens);
    }
    // the browser client (/parley.js) and the demo chat page (/)
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));
    return router;
  }

  /** {@code /ready} and {@code /ready/safe}: see {@link NodeState}. */
  private void answer(RoutingContext ctx, io.vertx.core.Future<NodeState.Answer> answer) {
    answer.onComplete(r -> json(ctx, r.succeeded() ? r.result().status() : 503,
        r.succeeded() ? r.result().body() : new JsonObject().put("status", "unknown").put("node", services.nodeId())));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** Closes every session with 1001 (on this gateway's loop); completes when presence is cleaned up. */
  public Future<Void> drain() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(heartbeatTimer);
      sessions.closeAll().onComplete(done);
    });
    return done.future();
  }

  /** This gateway's authenticated sessions and their rooms, read on its loop. */
  public Future<List<LiveSession>> liveSessions() {
    Promise<List<LiveSession>> live = Promise.promise();
    context.runOnContext(v -> live.complete(sessions.live()));
    return live.future();
  }

  /** The port listened on (differs from the configured one when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  public int connections() {
    return sessions.size();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(heartbeatTimer);
    return server == null ? Future.succeededFuture() : server.close();
  }
}
