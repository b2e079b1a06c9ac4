package io.parley.cluster;

import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.util.HashSet;
import java.util.Map;

/**
 * The changes a split-brain repair makes to the user directory ({@link MergeRepair}): each sets the count of a
 * node's sessions rather than adding to it, so a repair run twice never counts a session twice. Built on
 * {@link UserRecord}'s own operations.
 */
final class UserRepairProcessors {

  private UserRepairProcessors() {
  }

  private static void store(Map.Entry<String, UserRecord> entry, UserRecord record) {
    entry.setValue(record.isEmpty() ? null : record);
  }

  /** The user has exactly {@code sessions} sessions on the node. */
  record SetNodeSessions(String nodeId, int sessions) implements EntryProcessor<String, UserRecord, Void> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Void process(Map.Entry<String, UserRecord> entry) {
      UserRecord record = entry.getValue() == null ? new UserRecord() : entry.getValue();
      record.removeNode(nodeId);
      for (int i = 0; i < sessions; i++) {
        record.connect(nodeId);
      }
      store(entry, record);
      return null;
    }
  }

  /**
   * For every user: forgets the node's sessions unless the user is one of {@code liveUsers}, and the sessions
   * of every node not among {@code members}. Returns whether the record changed.
   */
  record DropStale(String nodeId, HashSet<String> liveUsers, HashSet<String> members)
      implements EntryProcessor<String, UserRecord, Boolean> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, UserRecord> entry) {
      UserRecord record = entry.getValue();
      if (record == null) {
        return false;
      }
      boolean changed = false;
      for (String node : record.nodes()) {
        if (!members.contains(node) || node.equals(nodeId) && !liveUsers.contains(entry.getKey())) {
          changed |= record.removeNode(node);
        }
      }
      if (changed) {
        store(entry, record);
      }
      return changed;
    }
  }
}
