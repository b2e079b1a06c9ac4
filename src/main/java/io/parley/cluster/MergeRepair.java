package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Rebuilds this node's part of presence and of the user directory from the sessions really connected here, after
 * the cluster lost track of them:
 * <ul>
 *   <li>when Hazelcast merged this node's side of a network split into the other side ({@code MERGED}): the
 *   merged side's copy of presence and users is dropped (see {@link ClusterSetup#mergePolicy}), and the other side
 *   had removed this node's sessions when it lost sight of it;</li>
 *   <li>when this node regains its quorum: departures and session closes it saw meanwhile could not be written;</li>
 *   <li>when members left: they may have held every copy of some partitions.</li>
 * </ul>
 * Each pass sets this node's sessions (never adds to them) and drops what is stale, so passes may repeat; one more
 * follows each after {@link #CONFIRM_AFTER_MS}, for sessions that opened or closed while the first ran.
 */
public final class MergeRepair {

  private static final Logger log = LoggerFactory.getLogger(MergeRepair.class);
  static final long QUORUM_CHECK_MS = 500;
  static final long RETRY_MS = 1000;
  static final int MAX_ATTEMPTS = 30;
  static final long CONFIRM_AFTER_MS = 3000;

  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private final ClusterQuorum quorum;
  private final Presence presence;
  private final UserDirectory users;
  private final Supplier<Future<List<LiveSession>>> liveSessions;
  private final String nodeId;
  private Context context;
  private UUID lifecycleListener;
  private long quorumTimer = -1;
  private boolean hadQuorum;
  /**
   * Between MERGING and MERGED the node is a member again but not yet reachable: Vert.x re-registers its node on
   * MERGED (HazelcastClusterManager.stateChanged), and until then a private message routed here fails ("not a member
   * of the cluster") and falls back to the mailbox. So the routes are announced on MERGED, not on the quorum.
   */
  private boolean merging;
  private boolean running;
  private String pendingCause;

  public MergeRepair(HazelcastInstance hazelcast, Vertx vertx, ClusterQuorum quorum, Presence presence,
                     UserDirectory users, Supplier<Future<List<LiveSession>>> liveSessions, String nodeId) {
    this.hazelcast = hazelcast;
    this.vertx = vertx;
    this.quorum = quorum;
    this.presence = presence;
    this.users = users;
    this.liveSessions = liveSessions;
    this.nodeId = nodeId;
  }

  public MergeRepair start() {
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      hadQuorum = quorum.present();
      quorumTimer = vertx.setPeriodic(QUORUM_CHECK_MS, t -> checkQuorum());
    });
    lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      switch (event.getState()) {
        case MERGING -> context.runOnContext(v -> merging = true);
        case MERGED -> context.runOnContext(v -> endMerge("merged"));
        case MERGE_FAILED -> context.runOnContext(v -> endMerge("merge_failed"));
        default -> {
        }
      }
    });
    return this;
  }

  public void stop() {
    vertx.cancelTimer(quorumTimer);
    if (lifecycleListener != null) {
      try {
        hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
      } catch (RuntimeException e) {
        // the instance is already shutting down
      }
    }
  }

  /** Members left and may have taken every copy of some partitions with them (see {@link MemberLossCheck}). */
  public void afterMembersLost() {
    context.runOnContext(v -> request("members_lost"));
  }

  private void endMerge(String cause) {
    merging = false;
    request(cause);
  }

  private void checkQuorum() {
    boolean present = quorum.present();
    if (present == hadQuorum) {
      return;
    }
    hadQuorum = present;
    int members = hazelcast.getCluster().getMembers().size();
    if (present) {
      log.info("event=quorum_regained node={} members={} needed={} merging={}", nodeId, members,
          quorum.minimumMembers(), merging);
      if (!merging) {
        request("quorum_regained");
      }
    } else {
      log.warn("event=quorum_lost node={} members={} needed={}", nodeId, members, quorum.minimumMembers());
    }
  }

  /** Runs a pass now, or right after the one running (which may have read the sessions before the cause). */
  private void request(String cause) {
    if (running) {
      pendingCause = cause;
      return;
    }
    running = true;
    attempt(cause, 1, System.nanoTime());
  }

  private void attempt(String cause, int attempt, long startNanos) {
    repairOnce().onComplete(result -> {
      if (result.succeeded()) {
        Counts counts = result.result();
        log.info("event=merge_repair node={} cause={} sessions={} rooms={} users={} attempts={} ms={}", nodeId,
            cause, counts.sessions(), counts.rooms(), counts.users(), attempt,
            (System.nanoTime() - startNanos) / 1_000_000);
        finish(cause.endsWith("_confirm") ? null : cause + "_confirm");
      } else if (attempt < MAX_ATTEMPTS) {
        log.debug("event=merge_repair_retry node={} cause={} attempt={} error={}", nodeId, cause, attempt,
            result.cause().toString());
        vertx.setTimer(RETRY_MS, t -> attempt(cause, attempt + 1, startNanos));
      } else {
        log.warn("event=merge_repair_failed node={} cause={} attempts={} error={}", nodeId, cause, attempt,
            result.cause().toString());
        finish(null);
      }
    });
  }

  private void finish(String confirmCause) {
    running = false;
    if (pendingCause != null) {
      String next = pendingCause;
      pendingCause = null;
      request(next);
    } else if (confirmCause != null) {
      vertx.setTimer(CONFIRM_AFTER_MS, t -> request(confirmCause));
    }
  }

  /** One pass: this node's live sessions set in every room and user they are in, then everything stale dropped. */
  private Future<Counts> repairOnce() {
    if (!quorum.present()) {
      return Future.failedFuture("no quorum yet");
    }
    Set<String> members = hazelcast.getCluster().getMembers().stream().map(ClusterSetup::nodeIdOf)
        .collect(Collectors.toSet());
    return liveSessions.get().compose(sessions -> {
      Map<String, Map<String, Set<String>>> byRoom = new HashMap<>();
      Map<String, Integer> perUser = new HashMap<>();
      for (LiveSession session : sessions) {
        perUser.merge(session.user(), 1, Integer::sum);
        for (String room : session.rooms()) {
          byRoom.computeIfAbsent(room, r -> new HashMap<>())
              .computeIfAbsent(session.user(), u -> new HashSet<>()).add(session.id());
        }
      }
      List<Future<Void>> sets = new ArrayList<>();
      byRoom.forEach((room, sessionsByUser) -> sets.add(presence.setNodeSessions(room, sessionsByUser)));
      perUser.forEach((user, count) -> sets.add(users.setNodeSessions(user, count)));
      Counts counts = new Counts(sessions.size(), byRoom.size(), perUser.size());
      // set first, then drop: a live user is never missing in between
      return Future.all(sets)
          .compose(v -> Future.all(presence.dropStaleSessions(byRoom.keySet(), members),
              users.dropStaleSessions(perUser.keySet(), members)))
          .map(v -> counts);
    });
  }

  private record Counts(int sessions, int rooms, int users) {
  }
}
