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
 * <p>A stream with no entry (never written, or, with no store, every copy lost or evicted) begins in the epoch the
 * caller proposes; the entry is made on the first write or join (or a user's first auth) so that every later reader
 * sees the same epoch. A read of a stream with no entry makes none: {@code history} of made-up rooms costs nothing.
 * Writes and joins say whether they may make it ({@code create}): a new stream counts against the limits
 * ({@link StreamLimits}), and the answer {@code null} tells the caller to ask them first.
 */
final class StreamProcessors {

  private StreamProcessors() {
  }

  /** The entry's log, made in {@code epoch} at {@code now} (and kept) when there is none. */
  private static StreamLog logOf(Map.Entry<String, StreamLog> entry, String epoch, long now) {
    StreamLog log = entry.getValue();
    if (log == null) {
      log = new StreamLog(epoch, now);
      entry.setValue(log);
    }
    return log;
  }

  /**
   * Stores a message, keeping at most {@code capacity} messages of {@code maxBytes} in all (0: any); returns its
   * position, or null when the stream has no entry and {@code create} is false (nothing changed).
   */
  record Append(String message, long storedAt, int capacity, long maxBytes, long cutoff, String epoch,
                boolean create) implements EntryProcessor<String, StreamLog, StreamPosition> {
    @Serial
    private static final long serialVersionUID = 2L;

    @Override
    public StreamPosition process(Map.Entry<String, StreamLog> entry) {
      if (entry.getValue() == null && !create) {
        return null;
      }
      StreamLog log = logOf(entry, epoch, storedAt);
      long seq = log.append(message, storedAt, capacity, maxBytes, cutoff);
      entry.setValue(log);
      return new StreamPosition(seq, log.epoch());
    }
  }

  /**
   * The stream's newest seq and epoch; with no entry, null unless {@code create} (then it is made at {@code now}).
   * The hub reads positions with {@code create}: a room whose members are here goes on, in a new epoch if need be.
   */
  record Position(String epoch, long now, boolean create) implements EntryProcessor<String, StreamLog, StreamPosition> {
    @Serial
    private static final long serialVersionUID = 2L;

    @Override
    public StreamPosition process(Map.Entry<String, StreamLog> entry) {
      if (entry.getValue() == null && !create) {
        return null;
      }
      StreamLog log = logOf(entry, epoch, now);
      return new StreamPosition(log.latest(), log.epoch());
    }
  }

  /** See {@link StreamLog#read}; a stream with no entry reads as empty, in {@code epoch}, and none is made. */
  record Read(long since, int limit, long cutoff, String epoch)
      implements EntryProcessor<String, StreamLog, StreamLog.LogSlice>, ReadOnly {
    @Serial
    private static final long serialVersionUID = 2L;

    @Override
    public StreamLog.LogSlice process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = entry.getValue();
      return (log == null ? new StreamLog(epoch) : log).read(since, limit, cutoff);
    }
  }

  /**
   * A user's messages not yet acknowledged (after {@code acked}), or after {@code since} when given (>= 0); the
   * slice tells where memory begins, so older ones are read from the store.
   */
  record Owed(long since, int limit, long cutoff, String epoch, long now)
      implements EntryProcessor<String, StreamLog, StreamLog.LogSlice> {
    @Serial
    private static final long serialVersionUID = 2L;

    @Override
    public StreamLog.LogSlice process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = logOf(entry, epoch, now);
      return log.read(since >= 0 ? since : log.acked(), limit, cutoff);
    }
  }

  /** Raises the user's acknowledged seq; returns whether it moved (then the store is told). */
  record Ack(long seq, String epoch, long now) implements EntryProcessor<String, StreamLog, Boolean> {
    @Serial
    private static final long serialVersionUID = 2L;

    @Override
    public Boolean process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = logOf(entry, epoch, now);
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

  /** Selects the streams neither made nor written since {@code cutoff}, for the eviction sweep. */
  record UntouchedSince(long cutoff) implements Predicate<String, StreamLog> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, StreamLog> entry) {
      return entry.getValue() != null && entry.getValue().untouchedSince(cutoff);
    }
  }

  /**
   * Removes the stream's entry if it is still neither made nor written since {@code cutoff} (so every message it
   * kept has expired); returns whether it did. A write between the sweep's query and this keeps it.
   */
  record Evict(long cutoff) implements EntryProcessor<String, StreamLog, Boolean> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, StreamLog> entry) {
      StreamLog log = entry.getValue();
      if (log == null || !log.untouchedSince(cutoff)) {
        return false;
      }
      entry.setValue(null);
      return true;
    }
  }
}
