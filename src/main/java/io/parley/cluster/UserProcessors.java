package io.parley.cluster;

import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.util.Map;

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

  /**
   * A session of the user opened on a node: count it, unless the user has {@code max} sessions already
   * ({@code limits.connectionsPerUser}, 0: no limit); returns whether it was counted.
   */
  record Connect(String nodeId, int max) implements EntryProcessor<String, UserRecord, Boolean> {
    @Serial
    private static final long serialVersionUID = 3L;

    @Override
    public Boolean process(Map.Entry<String, UserRecord> entry) {
      UserRecord record = recordOf(entry);
      if (max > 0 && record.sessions() >= max) {
        return false;
      }
      record.connect(nodeId);
      store(entry, record);
      return true;
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
}
