package io.parley.session;

import io.parley.auth.TokenVerifier;
import io.parley.cluster.Presence;
import io.parley.cluster.RequestDedup;
import io.parley.cluster.RoomHistory;
import io.parley.cluster.RoomPublisher;
import io.parley.cluster.StreamLimits;
import io.parley.cluster.UserDirectory;
import io.parley.cluster.UserStreams;
import io.parley.hub.LocalUsers;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Vertx;

/** What every session of a node needs, shared by all gateways. */
public record SessionServices(
    Vertx vertx,
    ParleyConfig config,
    String nodeId,
    TokenVerifier tokens,
    RoomHistory history,
    Presence presence,
    RoomPublisher publisher,
    UserDirectory users,
    UserStreams userStreams,
    LocalUsers localUsers,
    RequestDedup dedup,
    ConnectionRateLimiter connectionLimiter,
    ParleyMetrics metrics,
    StreamLimits streamLimits) {
}
