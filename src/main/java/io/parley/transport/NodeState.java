package io.parley.transport;

import io.parley.cluster.ClusterQuorum;
import io.parley.cluster.ClusterSafety;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the node is in its life: {@code /ready} answers 200 only when {@link Phase#READY}, where the cluster
 * requires a quorum while this node has it (a node in a minority serves nothing stored in the cluster), and once
 * the cluster has been found safe since this node started (every partition with its backup, see
 * {@link ClusterSafety}): a pod that replaces another is not ready, so a rollout or a drain does not take the next
 * one, before the data the last one held has two copies again. A node that was ready stays so while the cluster is
 * unsafe: the others would all turn unready at once and leave the client Service empty. {@code /ready/safe} says
 * whether the cluster is safe right now.
 */
public final class NodeState {

  public enum Phase { STARTING, READY, DRAINING }

  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
  /** The node's open client connections (TCP), shared by its gateways. */
  private final ConnectionCounts connections = new ConnectionCounts();
  private volatile ClusterQuorum quorum;
  private volatile ClusterSafety safety;

  /** An HTTP status and its JSON body. */
  public record Answer(int status, JsonObject body) {
  }

  public Phase phase() {
    return phase.get();
  }

  public void ready() {
    phase.compareAndSet(Phase.STARTING, Phase.READY);
  }

  public void draining() {
    phase.set(Phase.DRAINING);
  }

  public void quorum(ClusterQuorum quorum) {
    this.quorum = quorum;
  }

  /** Null while the node has its quorum (or needs none); otherwise why it cannot serve. */
  public String minorityReason() {
    ClusterQuorum current = quorum;
    return current == null || current.present() ? null : current.reason();
  }

  public void safety(ClusterSafety safety) {
    this.safety = safety;
  }

  /** {@code GET /ready}: 200 {@code "ready"}, or 503 {@code starting}, {@code draining}, {@code minority}, {@code unsafe}. */
  public Future<Answer> ready(String node) {
    Phase current = phase();
    if (current != Phase.READY) {
      return Future.succeededFuture(answer(503, current.name().toLowerCase(), node, null));
    }
    String minority = minorityReason();
    if (minority != null) {
      return Future.succeededFuture(answer(503, "minority", node, minority));
    }
    ClusterSafety checked = safety;
    if (checked == null) {
      return Future.succeededFuture(answer(200, "ready", node, null));
    }
    return checked.seenSafeSinceStart().map(safe -> safe ? answer(200, "ready", node, null)
        : answer(503, "unsafe", node, UNSAFE + "; this node is ready once they have (it joined an unsafe cluster)"));
  }

  /** {@code GET /ready/safe}: 200 while every partition has its backup (or the cluster is one member), else 503. */
  public Future<Answer> safe(String node) {
    ClusterSafety checked = safety;
    if (checked == null || phase() == Phase.STARTING) {
      return Future.succeededFuture(answer(503, "starting", node, null));
    }
    int members = checked.members();
    return checked.safeNow().map(safe -> {
      Answer answer = safe ? answer(200, "safe", node, null) : answer(503, "unsafe", node, minorityReason() != null
          ? minorityReason() : UNSAFE);
      answer.body().put("members", members);
      return answer;
    });
  }

  private static final String UNSAFE = "some partitions of the cluster's data have no backup yet (a member left or "
      + "joined and Hazelcast is copying them): losing one more member now could lose data";

  private static Answer answer(int status, String state, String node, String reason) {
    JsonObject body = new JsonObject().put("status", state).put("node", node);
    if (reason != null) {
      body.put("reason", reason);
    }
    return new Answer(status, body);
  }

  ConnectionCounts connectionCounts() {
    return connections;
  }

  public boolean acceptsConnections() {
    return phase.get() == Phase.READY;
  }
}
