package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.Frames;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Private messages across the cluster: which nodes a user has sessions on (a Hazelcast map, one synchronous
 * backup) and delivery through one event-bus address per node. What a user is sent is kept in their stream
 * ({@link UserStreams}) before anyone is told, so delivery here is best effort: a session that misses a push is
 * owed it until the user acknowledges it.
 */
public final class UserDirectory {

  static final String MAP_NAME = "parley.users";
  private static final Logger log = LoggerFactory.getLogger(UserDirectory.class);
  private static final int PUSH_ATTEMPTS = 4;
  private static final long PUSH_RETRY_MS = 500;
  private static final long PUSH_TIMEOUT_MS = 2000;

  private final IMap<String, UserRecord> users;
  private final Vertx vertx;
  private final String nodeId;
  private final UserStreams streams;
  private final ParleyMetrics metrics;
  private final StreamLimits limits;
  /** {@code limits.connectionsPerUser}: sessions of one user, cluster-wide (0: no limit). */
  private final int connectionsPerUser;

  public UserDirectory(HazelcastInstance hazelcast, Vertx vertx, String nodeId, UserStreams streams,
                       ParleyMetrics metrics, StreamLimits limits, int connectionsPerUser) {
    this.users = hazelcast.getMap(MAP_NAME);
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.streams = streams;
    this.metrics = metrics;
    this.limits = limits;
    this.connectionsPerUser = connectionsPerUser;
  }

  /**
   * Counts a new session of the user on this node: from now on its pushes are routed here. A user who has
   * {@code limits.connectionsPerUser} sessions in the cluster already is refused ({@code forbidden}; not counted):
   * the count is the one the directory keeps anyway, so the limit is exact and costs no further call.
   */
  public Future<Void> connect(String user) {
    return ClusterCalls.async(vertx, () -> users.submitToKey(user, new UserProcessors.Connect(nodeId,
            connectionsPerUser)))
        .compose(counted -> {
          if (counted) {
            return Future.succeededFuture();
          }
          metrics.limitRefused(ParleyMetrics.LIMIT_CONNECTIONS_PER_USER);
          return Future.failedFuture(ProtocolException.forbidden("user " + user + " has " + connectionsPerUser
              + " sessions in the cluster already, the limit (limits.connectionsPerUser): close one first"));
        });
  }

  public Future<Void> disconnect(String user) {
    return ClusterCalls.async(vertx, () -> users.submitToKey(user, new UserProcessors.Disconnect(nodeId)));
  }

  /**
   * Sends a private message from {@code from} (the session {@code originSession}, or null from the server API):
   * stored in the recipient's stream and the sender's, then pushed to every session of both but the origin.
   * Completes once stored, with its message id (unique cluster-wide) and its seq in the sender's stream.
   *
   * <p>A recipient with no stream gets one only if the limits admit it ({@link StreamLimits#userStream}, counted
   * to {@code from}; the server API sends with {@code originSession} null and is counted to nobody). So the
   * recipient's stream takes its seq first, and the sender's copy is written once it did: a refused message is in
   * neither. The store's commit of the recipient's copy and the sender's write still go on together.
   */
  public Future<SentPrivate> sendPrivate(String from, String to, String originSession, Object body) {
    String mid = UUID.randomUUID().toString();
    String stored = Frames.storedPrivate(to, from, mid, body, System.currentTimeMillis());
    Future<Void> fits = limits.checkPrivateMessage(stored);
    if (fits.failed()) {
      return fits.map(v -> null);
    }
    metrics.privateSent();
    StreamTier.Appending toAppend = streams.appendGated(to, stored, from,
        limits.userStream(originSession == null ? null : from));
    Future<StreamPosition> toStream = toAppend.stored();
    Future<StreamPosition> fromStream = from.equals(to) ? toStream
        : toAppend.placed().compose(placed -> streams.append(from, stored, to));
    return Future.all(toStream, fromStream).map(both -> {
      String origin = originSession == null ? "" : originSession;
      push(to, origin, toStream.result(), stored);
      if (!from.equals(to)) {
        push(from, origin, fromStream.result(), stored);
      }
      return new SentPrivate(mid, fromStream.result());
    });
  }

  /**
   * One node's share of a push. A node whose address the bus does not know yet (it is re-announcing itself after
   * a split healed) is tried again a few times; after that the message stays owed to the user's next auth.
   */
  private void pushTo(String node, String frame, DeliveryOptions options, int attemptsLeft) {
    vertx.eventBus().request(UserBus.nodeAddress(node), frame, options).onFailure(e -> {
      if (attemptsLeft > 1) {
        vertx.setTimer(PUSH_RETRY_MS, t -> pushTo(node, frame, options, attemptsLeft - 1));
      }
    });
  }

  /** A sent message's id, and its place in the sender's stream. */
  public record SentPrivate(String mid, StreamPosition position) {
  }

  /** Hands a frame of {@code user}'s stream to their sessions on every node that has one (but {@code origin}). */
  private void push(String user, String origin, StreamPosition position, String stored) {
    ClusterCalls.async(vertx, () -> users.getAsync(user)).onSuccess(record -> {
      if (record == null) {
        return;
      }
      String frame = Frames.privateMessage(position.seq(), stored);
      DeliveryOptions options = UserBus.push(user, origin, position, PUSH_TIMEOUT_MS);
      for (String node : record.nodes()) {
        pushTo(node, frame, options, PUSH_ATTEMPTS);
      }
    });
  }

  /** Split-brain repair: the user has exactly {@code sessions} sessions on this node (see {@link MergeRepair}). */
  public Future<Void> setNodeSessions(String user, int sessions) {
    return ClusterCalls.async(vertx, () -> users.submitToKey(user,
        new UserRepairProcessors.SetNodeSessions(nodeId, sessions)));
  }

  /** Split-brain repair: forgets this node's sessions of users not in {@code liveUsers}, and departed nodes'. */
  public Future<Void> dropStaleSessions(Set<String> liveUsers, Set<String> members) {
    UserRepairProcessors.DropStale drop =
        new UserRepairProcessors.DropStale(nodeId, new HashSet<>(liveUsers), new HashSet<>(members));
    return vertx.executeBlocking(() -> users.executeOnEntries(drop), false).mapEmpty();
  }

  /** A member left or died: its sessions are gone. */
  public void removeNode(String departed) {
    vertx.executeBlocking(() -> users.executeOnEntries(new UserProcessors.RemoveNode(departed)), false)
        .onFailure(e -> log.warn("event=user_cleanup_failed departed={} error={}", departed, e.toString()));
  }
}
