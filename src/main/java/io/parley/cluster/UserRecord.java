package io.parley.cluster;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;

/**
 * One user, cluster-wide: on which nodes they have sessions (node id → count), and their mailbox of private
 * messages kept while they had none. Changed only inside entry processors, so routing a message and a user
 * connecting cannot race: a message is either routed to a session or in the mailbox the next auth drains.
 */
final class UserRecord implements Serializable {

  @Serial
  private static final long serialVersionUID = 1L;

  private final HashMap<String, Integer> sessionsByNode = new HashMap<>();
  private final ArrayList<Mail> mailbox = new ArrayList<>();

  record Mail(String frame, long storedAt) implements Serializable {
  }

  void connect(String nodeId) {
    sessionsByNode.merge(nodeId, 1, Integer::sum);
  }

  void disconnect(String nodeId) {
    sessionsByNode.computeIfPresent(nodeId, (node, count) -> count > 1 ? count - 1 : null);
  }

  boolean removeNode(String nodeId) {
    return sessionsByNode.remove(nodeId) != null;
  }

  Set<String> nodes() {
    return Set.copyOf(sessionsByNode.keySet());
  }

  /** Appends, then drops what is too old and the oldest beyond {@code maxMessages}; returns how many were dropped. */
  int enqueue(String frame, long now, int maxMessages, long maxAgeMs) {
    mailbox.add(new Mail(frame, now));
    int dropped = expire(now, maxAgeMs);
    while (mailbox.size() > maxMessages) {
      mailbox.remove(0);
      dropped++;
    }
    return dropped;
  }

  /**
   * Empties the mailbox; returns its frames still within {@code maxAgeMs}, oldest first. An ArrayList, which
   * Hazelcast serializes itself: an immutable list would take Java serialization on every auth.
   */
  ArrayList<String> drain(long now, long maxAgeMs) {
    expire(now, maxAgeMs);
    ArrayList<String> frames = new ArrayList<>(mailbox.size());
    mailbox.forEach(mail -> frames.add(mail.frame()));
    mailbox.clear();
    return frames;
  }

  private int expire(long now, long maxAgeMs) {
    int before = mailbox.size();
    mailbox.removeIf(mail -> now - mail.storedAt() > maxAgeMs);
    return before - mailbox.size();
  }

  boolean isEmpty() {
    return sessionsByNode.isEmpty() && mailbox.isEmpty();
  }
}
