package io.parley.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.query.Predicate;

import java.io.Serial;
import java.util.Map;

/**
 * The operations on a room's {@link RoomLog}, run by Hazelcast on the partition that owns the room's entry.
 * Times come from the caller, so the backup, which re-runs a change, makes exactly the same one.
 */
final class HistoryProcessors {

  private HistoryProcessors() {
  }

  /** Stores a message; returns its seq. The room's first message makes its entry. */
  record Append(String message, long storedAt, int capacity, long cutoff)
      implements EntryProcessor<String, RoomLog, Long> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(Map.Entry<String, RoomLog> entry) {
      RoomLog log = entry.getValue() == null ? new RoomLog() : entry.getValue();
      long seq = log.append(message, storedAt, capacity, cutoff);
      entry.setValue(log);
      return seq;
    }
  }

  /** The room's newest seq, 0 for a room that never had a message (whose entry is not made). */
  record Latest() implements EntryProcessor<String, RoomLog, Long>, ReadOnly {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(Map.Entry<String, RoomLog> entry) {
      return entry.getValue() == null ? 0L : entry.getValue().latest();
    }
  }

  /** See {@link RoomLog#read}; a room that never had a message reads as empty, with seq 0. */
  record Read(long since, int limit, long cutoff) implements EntryProcessor<String, RoomLog, RoomLog.LogSlice>,
      ReadOnly {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public RoomLog.LogSlice process(Map.Entry<String, RoomLog> entry) {
      return (entry.getValue() == null ? new RoomLog() : entry.getValue()).read(since, limit, cutoff);
    }
  }

  /** The seq of a kept message with exactly this encoding, or 0. */
  record Find(String message) implements EntryProcessor<String, RoomLog, Long>, ReadOnly {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(Map.Entry<String, RoomLog> entry) {
      return entry.getValue() == null ? 0L : entry.getValue().find(message);
    }
  }

  /** Drops the messages stored before {@code cutoff}; the room keeps its seq. */
  record Expire(long cutoff) implements EntryProcessor<String, RoomLog, Integer> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Integer process(Map.Entry<String, RoomLog> entry) {
      RoomLog log = entry.getValue();
      if (log == null) {
        return 0;
      }
      int before = log.size();
      log.expire(cutoff);
      entry.setValue(log);
      return before - log.size();
    }
  }

  /** Selects the rooms with messages stored before {@code cutoff}, for the expiry sweep. */
  record StoredBefore(long cutoff) implements Predicate<String, RoomLog> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, RoomLog> entry) {
      return entry.getValue() != null && entry.getValue().hasMessagesStoredBefore(cutoff);
    }
  }
}
