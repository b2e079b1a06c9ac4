package io.parley.cluster;

import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The atomic changes to a {@link UserRecord}, run by Hazelcast on the partition that owns the user. */
final class UserProcessors {

  private UserProcessors() {
  }

  private static UserRecord recordOf(Map.Entry<String, UserRecord> entry) {
    return entry.getValue() == null ? new UserRecord() : entry.getValue();
  }

  private static void store(Map.Entry<String, UserRecord> entry, UserRecord record) {
    entry.setValue(record.isEmpty() ? null : record);
  }

  /** A session of the user opened on a node: count it, and hand over the mailbox. */
  record Connect(String nodeId, long now, long maxAgeMs) implements EntryProcessor<String, UserRecord, List<String>> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public List<String> process(Map.Entry<String, UserRecord> entry) {
      UserRecord record = recordOf(entry);
      record.connect(nodeId);
      List<String> mail = record.drain(now, maxAgeMs);
      store(entry, record);
      return mail;
    }
  }

  record Disconnect(String nodeId) implements EntryProcessor<String, UserRecord, Void> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Void process(Map.Entry<String, UserRecord> entry) {
      if (entry.getValue() != null) {
        UserRecord record = entry.getValue();
        record.disconnect(nodeId);
        store(entry, record);
      }
      return null;
    }
  }

  /** Where a private message goes: the user's nodes, or (with none) into the mailbox. */
  record Route(String frame, long now, int maxMessages, long maxAgeMs)
      implements EntryProcessor<String, UserRecord, Routing> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Routing process(Map.Entry<String, UserRecord> entry) {
      UserRecord record = recordOf(entry);
      Set<String> nodes = record.nodes();
      if (!nodes.isEmpty()) {
        return new Routing(nodes, 0);
      }
      return new Routing(Set.of(), new Enqueue(frame, now, maxMessages, maxAgeMs).process(entry));
    }
  }

  /** Into the mailbox regardless of sessions (the nodes it was routed to had none left). */
  record Enqueue(String frame, long now, int maxMessages, long maxAgeMs)
      implements EntryProcessor<String, UserRecord, Integer> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Integer process(Map.Entry<String, UserRecord> entry) {
      UserRecord record = recordOf(entry);
      int dropped = record.enqueue(frame, now, maxMessages, maxAgeMs);
      store(entry, record);
      return dropped;
    }
  }

  record RemoveNode(String nodeId) implements EntryProcessor<String, UserRecord, Boolean> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, UserRecord> entry) {
      UserRecord record = entry.getValue();
      if (record == null || !record.removeNode(nodeId)) {
        return false;
      }
      store(entry, record);
      return true;
    }
  }

  /** The nodes to deliver to; empty when the message went to the mailbox ({@code dropped} older ones fell out). */
  record Routing(Set<String> nodes, int dropped) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    boolean queued() {
      return nodes.isEmpty();
    }
  }
}
