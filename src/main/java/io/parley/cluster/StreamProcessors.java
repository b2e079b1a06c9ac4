package io.parley.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.query.Predicate;
import io.vertx.core.json.JsonObject;

import java.io.Serial;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;

/**
 * The operations on a stream's {@link StreamLog} (a room's or a user's), run by Hazelcast on the partition that
 * owns the stream's entry. Times and new epochs come from the caller, so the backup, which re-runs a change, makes
 * exactly the same one.
 *
 * <p>A stream with no entry (never written, or, with no store, every copy lost) begins in the epoch the caller
 * proposes; the entry is made on the first touch so that every later reader sees the same epoch.
 */
final class StreamProcessors {

  private StreamProcessors() {
  }

  /** The entry's log, made in {@code epoch} (and kept) when there is none. */
  private static StreamLog logOf(Map.Entry<String, StreamLog> entry, String epoch) {
    StreamLog log = entry.getValue();
    if (log == null) {
      log = new StreamLog(epoch);
      entry.setValue(log);
    }
    return log;
  }

  /** Stores a message; returns its position. */
  record Append(String message, long storedAt, int capacity, long cutoff, String epoch)
      implements EntryProcessor<String, StreamLog, StreamPosition> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public StreamPosition process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = logOf(entry, epoch);
      long seq = log.append(message, storedAt, capacity, cutoff);
      entry.setValue(log);
      return new StreamPosition(seq, log.epoch());
    }
  }

  /** The stream's newest seq and epoch. */
  record Position(String epoch) implements EntryProcessor<String, StreamLog, StreamPosition> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public StreamPosition process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = logOf(entry, epoch);
      return new StreamPosition(log.latest(), log.epoch());
    }
  }

  /** See {@link StreamLog#read}. */
  record Read(long since, int limit, long cutoff, String epoch)
      implements EntryProcessor<String, StreamLog, StreamLog.LogSlice> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public StreamLog.LogSlice process(Map.Entry<String, StreamLog> entry) {
      return logOf(entry, epoch).read(since, limit, cutoff);
    }
  }

  /**
   * A user's messages not yet acknowledged (after {@code acked}), or after {@code since} when given (>= 0); the
   * slice tells where memory begins, so older ones are read from the store.
   */
  record Owed(long since, int limit, long cutoff, String epoch)
      implements EntryProcessor<String, StreamLog, StreamLog.LogSlice> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public StreamLog.LogSlice process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = logOf(entry, epoch);
      return log.read(since >= 0 ? since : log.acked(), limit, cutoff);
    }
  }

  /** Raises the user's acknowledged seq; returns whether it moved (then the store is told). */
  record Ack(long seq, String epoch) implements EntryProcessor<String, StreamLog, Boolean> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = logOf(entry, epoch);
      boolean moved = log.ack(seq);
      if (moved) {
        entry.setValue(log);
      }
      return moved;
    }
  }

  /**
   * The newest {@code limit} messages of a user's stream exchanged with {@code peer} (the stored encoding names
   * {@code to} and {@code from}), oldest first, and where memory begins.
   */
  record Conversation(String self, String peer, int limit, long cutoff, String epoch)
      implements EntryProcessor<String, StreamLog, ConversationSlice>, ReadOnly {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public ConversationSlice process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = entry.getValue() == null ? new StreamLog(epoch) : entry.getValue();
      ArrayList<Long> seqs = new ArrayList<>();
      ArrayList<String> found = new ArrayList<>();
      log.forEachNewest((seq, message) -> {
        if (isBetween(new JsonObject(message), self, peer)) {
          seqs.add(seq);
          found.add(message);
        }
        return found.size() < limit;
      }, cutoff);
      Collections.reverse(seqs);
      Collections.reverse(found);
      return new ConversationSlice(seqs, found, log.latest(), log.epoch(), log.oldestKept());
    }

    private static boolean isBetween(JsonObject message, String self, String peer) {
      String to = message.getString("to");
      String from = message.getString("from");
      return self.equals(peer) ? peer.equals(to) && peer.equals(from)
          : peer.equals(to) && self.equals(from) || peer.equals(from) && self.equals(to);
    }
  }

  /** A conversation's messages found in memory (oldest first), the stream's position and where memory begins. */
  record ConversationSlice(ArrayList<Long> seqs, ArrayList<String> messages, long latest, String epoch,
                           long memoryFrom) implements java.io.Serializable {
  }

  /** Takes back a message whose store commit failed (see {@link StreamLog#withdraw}). */
  record Withdraw(long seq, String message) implements EntryProcessor<String, StreamLog, Boolean> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = entry.getValue();
      if (log == null || !log.withdraw(seq, message)) {
        return false;
      }
      entry.setValue(log);
      return true;
    }
  }

  /** The seq of a kept message with exactly this encoding, or 0. */
  record Find(String message) implements EntryProcessor<String, StreamLog, Long>, ReadOnly {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(Map.Entry<String, StreamLog> entry) {
      return entry.getValue() == null ? 0L : entry.getValue().find(message);
    }
  }

  /** Drops the messages stored before {@code cutoff}; the stream keeps its seq. */
  record Expire(long cutoff) implements EntryProcessor<String, StreamLog, Integer> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Integer process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = entry.getValue();
      if (log == null) {
        return 0;
      }
      int before = log.size();
      log.expire(cutoff);
      entry.setValue(log);
      return before - log.size();
    }
  }

  /** Selects the streams with messages stored before {@code cutoff}, for the expiry sweep. */
  record StoredBefore(long cutoff) implements Predicate<String, StreamLog> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, StreamLog> entry) {
      return entry.getValue() != null && entry.getValue().hasMessagesStoredBefore(cutoff);
    }
  }
}
