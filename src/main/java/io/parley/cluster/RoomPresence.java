package io.parley.cluster;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Who is in one room, cluster-wide: user id → the sessions ({@code nodeId/sessionId}) through which they are
 * in it. Only ever changed inside a Hazelcast entry processor, so each change is atomic on the partition owner.
 */
final class RoomPresence implements Serializable {

  @Serial
  private static final long serialVersionUID = 1L;

  private final HashMap<String, HashSet<String>> sessionsByUser = new HashMap<>();

  /** @return true if this is the user's first session in the room */
  boolean add(String user, String sessionKey) {
    HashSet<String> sessions = sessionsByUser.computeIfAbsent(user, u -> new HashSet<>());
    boolean first = sessions.isEmpty();
    sessions.add(sessionKey);
    return first;
  }

  /** @return true if that was the user's last session in the room */
  boolean remove(String user, String sessionKey) {
    HashSet<String> sessions = sessionsByUser.get(user);
    if (sessions == null || !sessions.remove(sessionKey)) {
      return false;
    }
    if (sessions.isEmpty()) {
      sessionsByUser.remove(user);
      return true;
    }
    return false;
  }

  /** Drops every session of a node; @return the users who thereby left the room (see {@link #users()}) */
  ArrayList<String> removeNode(String nodeId) {
    String prefix = nodeId + "/";
    return removeSessions(key -> key.startsWith(prefix));
  }

  /** Drops the sessions whose key ({@code nodeId/sessionId}) matches; @return the users who thereby left */
  ArrayList<String> removeSessions(Predicate<String> sessionKey) {
    ArrayList<String> gone = new ArrayList<>();
    for (Map.Entry<String, HashSet<String>> entry : new ArrayList<>(sessionsByUser.entrySet())) {
      Set<String> sessions = entry.getValue();
      if (sessions.removeIf(sessionKey) && sessions.isEmpty()) {
        sessionsByUser.remove(entry.getKey());
        gone.add(entry.getKey());
      }
    }
    return gone;
  }

  int userCount() {
    return sessionsByUser.size();
  }

  boolean isEmpty() {
    return sessionsByUser.isEmpty();
  }

  /** How many users, and the first {@code max} of them in order: a big room's reply stays small. */
  PresenceListing listed(int max) {
    ArrayList<String> first = sessionsByUser.keySet().stream().sorted().limit(max)
        .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    return new PresenceListing(sessionsByUser.size(), first);
  }

  /** Returned as an ArrayList, which Hazelcast serializes itself, not through Java serialization. */
  ArrayList<String> users() {
    return new ArrayList<>(new TreeSet<>(sessionsByUser.keySet()));
  }
}
