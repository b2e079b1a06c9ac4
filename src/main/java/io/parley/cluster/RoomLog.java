package io.parley.cluster;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;

/**
 * One room's seq and stored messages, kept in the cluster map {@link RoomHistory#MAP_NAME}. Only ever changed
 * inside a Hazelcast entry processor, so each change is atomic on the partition owner and re-run on the backup.
 *
 * <p>The seq outlives the messages: they leave when {@code history.size} newer ones arrive or when they are
 * older than {@code history.ttlMs}, but {@link #latest()} stays, so a room's seq never goes back (PROTOCOL.md:
 * strictly increasing by 1) and a client that saw everything still recovers after the messages expired. The
 * arrays grow with the messages and are dropped when none is left, so a quiet room costs its seq only.
 */
final class RoomLog implements Serializable {

  @Serial
  private static final long serialVersionUID = 1L;
  private static final int FIRST_SLOTS = 8;
  /** Shared by the rooms with no message kept, which are most rooms once their messages expire. */
  private static final String[] NO_MESSAGES = {};
  private static final long[] NO_TIMES = {};

  private long latest;
  private String[] stored = NO_MESSAGES;
  private long[] storedAt = NO_TIMES;
  /** Slot of the oldest message. */
  private int head;
  private int count;
  /**
   * When the oldest message was stored ({@code Long.MAX_VALUE} with none): the one field the expiry sweep's
   * query reads, on a query thread, while the partition thread may be changing the rest.
   */
  private volatile long oldestStoredAt = Long.MAX_VALUE;

  /** Adds a message stored at {@code storedAt}, keeping at most {@code capacity}; returns its seq. */
  long append(String message, long storedAt, int capacity, long cutoff) {
    expire(cutoff);
    while (count >= capacity) {
      dropOldest();
    }
    if (count == stored.length) {
      grow(capacity);
    }
    int slot = slot(count);
    stored[slot] = message;
    this.storedAt[slot] = storedAt;
    count++;
    latest++;
    oldestStoredAt = this.storedAt[head];
    return latest;
  }

  /** Drops the messages stored before {@code cutoff}; frees the arrays when none is left. */
  void expire(long cutoff) {
    while (count > 0 && storedAt[head] < cutoff) {
      dropOldest();
    }
    if (count == 0) {
      stored = NO_MESSAGES;
      storedAt = NO_TIMES;
      head = 0;
    }
    oldestStoredAt = count == 0 ? Long.MAX_VALUE : storedAt[head];
  }

  boolean hasMessagesStoredBefore(long cutoff) {
    return oldestStoredAt < cutoff;
  }

  /** The newest seq, 0 before the first message; kept after every message has left. */
  long latest() {
    return latest;
  }

  /** How many messages are kept, expired ones included until the next change or sweep drops them. */
  int size() {
    return count;
  }

  /**
   * Messages after {@code since} (oldest first, at most {@code limit}), or with {@code since < 0} the newest
   * {@code limit}, leaving out those stored before {@code cutoff}. The slice is incomplete when messages the
   * reader asked for are gone, or when the reader claims a seq the room never reached.
   */
  LogSlice read(long since, int limit, long cutoff) {
    int skipped = firstLive(cutoff);
    int live = count - skipped;
    long oldest = latest - live + 1;
    long start;
    boolean complete;
    if (since < 0) {
      start = Math.max(oldest, latest - limit + 1);
      complete = true;
    } else {
      start = Math.max(since + 1, oldest);
      complete = since >= oldest - 1 && since <= latest;
    }
    long end = Math.min(latest, start + Math.max(0, limit) - 1);
    ArrayList<String> messages = new ArrayList<>((int) Math.max(0, end - start + 1));
    for (long seq = start; seq <= end; seq++) {
      messages.add(stored[slot((int) (seq - oldest) + skipped)]);
    }
    return new LogSlice(start, latest, complete, messages);
  }

  /** The seq of a kept message with exactly this encoding, or 0. */
  long find(String message) {
    for (int i = count - 1; i >= 0; i--) {
      if (stored[slot(i)].equals(message)) {
        return latest - count + 1 + i;
      }
    }
    return 0;
  }

  private int firstLive(long cutoff) {
    int skipped = 0;
    while (skipped < count && storedAt[slot(skipped)] < cutoff) {
      skipped++;
    }
    return skipped;
  }

  private void dropOldest() {
    stored[head] = null;
    head = (head + 1) % stored.length;
    count--;
  }

  private void grow(int capacity) {
    int slots = Math.min(capacity, Math.max(FIRST_SLOTS, stored.length * 2));
    String[] grownStored = new String[slots];
    long[] grownStoredAt = new long[slots];
    for (int i = 0; i < count; i++) {
      grownStored[i] = stored[slot(i)];
      grownStoredAt[i] = storedAt[slot(i)];
    }
    stored = grownStored;
    storedAt = grownStoredAt;
    head = 0;
  }

  /** A copy made by a migration shares the empty arrays too. */
  @Serial
  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    if (count == 0) {
      stored = NO_MESSAGES;
      storedAt = NO_TIMES;
    }
  }

  private int slot(int index) {
    return (head + index) % stored.length;
  }

  /**
   * What a read returns across the cluster: the messages with seqs {@code firstSeq, firstSeq + 1, ...}, the
   * room's newest seq, and whether nothing the reader asked for was missing.
   */
  record LogSlice(long firstSeq, long latest, boolean complete, ArrayList<String> messages)
      implements Serializable {
  }
}
