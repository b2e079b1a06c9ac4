package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.config.ParleyConfig.Mailbox;
import io.parley.hub.LocalUsers;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.Frames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Private messages across the cluster: which nodes a user has sessions on (a Hazelcast map, one synchronous
 * backup), delivery through one event-bus address per node, and the mailbox for users with no session.
 */
public final class UserDirectory {

  static final String MAP_NAME = "parley.users";
  private static final Logger log = LoggerFactory.getLogger(UserDirectory.class);
  private static final long DELIVERY_TIMEOUT_MS = 5000;

  private final IMap<String, UserRecord> users;
  private final Vertx vertx;
  private final String nodeId;
  private final Mailbox mailbox;
  private final ParleyMetrics metrics;

  public UserDirectory(HazelcastInstance hazelcast, Vertx vertx, String nodeId, Mailbox mailbox,
                       ParleyMetrics metrics) {
    this.users = hazelcast.getMap(MAP_NAME);
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.mailbox = mailbox;
    this.metrics = metrics;
  }

  /** Counts a new session of the user on this node; completes with the mailbox, oldest first. */
  public Future<List<String>> connect(String user) {
    return ClusterCalls.async(vertx, () -> users.submitToKey(user,
        new UserProcessors.Connect(nodeId, System.currentTimeMillis(), mailbox.maxAgeMs())));
  }

  public Future<Void> disconnect(String user) {
    return ClusterCalls.async(vertx, () -> users.submitToKey(user, new UserProcessors.Disconnect(nodeId)));
  }

  /**
   * Sends a private message from {@code from} (the session {@code originSession}, or null from the server API);
   * completes with its message id, unique cluster-wide, once delivered or kept in the mailbox.
   */
  public Future<String> sendPrivate(String from, String to, String originSession, Object body) {
    String mid = UUID.randomUUID().toString();
    String frame = Frames.privateMessage(to, from, mid, body, System.currentTimeMillis());
    metrics.privateSent();
    return send(from, to, originSession == null ? "" : originSession, frame).map(v -> mid);
  }

  /**
   * Delivers a private message to every session of {@code to} and the other sessions of {@code from}, or keeps
   * it in the mailbox of {@code to} when none of theirs could take it.
   */
  private Future<Void> send(String from, String to, String originSession, String frame) {
    long now = System.currentTimeMillis();
    return ClusterCalls.async(vertx, () -> users.submitToKey(to,
            new UserProcessors.Route(frame, now, mailbox.maxMessages(), mailbox.maxAgeMs())))
        .compose(routing -> {
          if (routing.queued()) {
            metrics.mailboxDropped(routing.dropped());
            return Future.succeededFuture();
          }
          return senderNodes(from, to).compose(senderNodes -> deliver(from, to, originSession, frame,
              union(routing.nodes(), senderNodes)));
        });
  }

  private Future<Set<String>> senderNodes(String from, String to) {
    if (from.equals(to)) {
      return Future.succeededFuture(Set.of());
    }
    return ClusterCalls.async(vertx, () -> users.getAsync(from))
        .map(record -> record == null ? Set.of() : record.nodes());
  }

  private Future<Void> deliver(String from, String to, String originSession, String frame, Set<String> nodes) {
    DeliveryOptions options = new DeliveryOptions()
        .addHeader(LocalUsers.TO_HEADER, to)
        .addHeader(LocalUsers.FROM_HEADER, from)
        .addHeader(LocalUsers.ORIGIN_HEADER, originSession)
        .setSendTimeout(DELIVERY_TIMEOUT_MS);
    List<Future<Integer>> deliveries = nodes.stream()
        .map(node -> vertx.eventBus().<Integer>request(LocalUsers.nodeAddress(node), frame, options)
            .map(reply -> reply.body())
            .otherwise(e -> 0)) // a node that just died or left: its sessions are gone
        .toList();
    return Future.join(deliveries).compose(all -> {
      int recipients = deliveries.stream().mapToInt(f -> f.result() == null ? 0 : f.result()).sum();
      if (recipients > 0) {
        return Future.succeededFuture();
      }
      // the recipient's sessions closed while we routed: keep it for their next auth
      long now = System.currentTimeMillis();
      return ClusterCalls.async(vertx, () -> users.submitToKey(to,
              new UserProcessors.Enqueue(frame, now, mailbox.maxMessages(), mailbox.maxAgeMs())))
          .map(dropped -> {
            metrics.mailboxDropped(dropped);
            return null;
          });
    });
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
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
