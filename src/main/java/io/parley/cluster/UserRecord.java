package io.parley.cluster;

import java.io.Serial;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Set;

/**
 * One user, cluster-wide: on which nodes they have sessions (node id → count). Changed only inside entry
 * processors. Their private messages are in their stream ({@link UserStreams}), not here.
 */
final class UserRecord implements Serializable {

  @Serial
  private static final long serialVersionUID = 2L;

  private final HashMap<String, Integer> sessionsByNode = new HashMap<>();

  void connect(String nodeId) {
    sessionsByNode.merge(nodeId, 1, Integer::sum);
  }

  void disconnect(String nodeId) {
    sessionsByNode.computeIfPresent(nodeId, (node, count) -> count > 1 ? count - 1 : null);
  }

  boolean removeNode(String nodeId) {
    return sessionsByNode.remove(nodeId) != null;
  }

  /** Sessions on every node. */
  int sessions() {
    int all = 0;
    for (int count : sessionsByNode.values()) {
      all += count;
    }
    return all;
  }

  Set<String> nodes() {
    return Set.copyOf(sessionsByNode.keySet());
  }

  boolean isEmpty() {
    return sessionsByNode.isEmpty();
  }
}
