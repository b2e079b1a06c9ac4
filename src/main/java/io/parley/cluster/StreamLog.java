package io.parley.cluster;

import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;

/**
 * One stream's position (seq and epoch) and newest messages: a room's, in the cluster map
 * {@link RoomHistory#MAP_NAME}, or a user's, in {@link UserStreams#MAP_NAME} (which also keeps how far the user
 * acknowledged it). Only ever changed inside a Hazelcast entry processor, so each change is atomic on the
 * partition owner and re-run on the backup.
 *
 * <p>The seq outlives the messages: they leave when {@code history.size} newer ones arrive or when they are
 * older than {@code history.ttlMs}, but {@link #latest()} stays, so a room's seq never goes back (PROTOCOL.md:
 * strictly increasing by 1) and a client that saw everything still recovers after the messages expired. The
 * arrays grow with the messages and are dropped when none is left, so a quiet room costs its seq only, until
 * {@link StreamEviction} (without a store) or Hazelcast's idle eviction (with one) takes the whole entry.
 *
 * <p>Besides the count, the kept messages' UTF-8 bytes are bounded ({@code limits.maxRoomBytes},
 * {@code limits.maxUserStreamBytes}): the oldest leave to make room for a new one, as with the count.
 */
final class StreamLog implements Serializable {

  @Serial
  private static final long serialVersionUID = 1L;
  private static final int FIRST_SLOTS = 8;
  /** Shared by the rooms with no message kept, which are most rooms once their messages expire. */
  private static final String[] NO_MESSAGES = {};
  /** What a withdrawn message leaves (no stored encoding is empty); readers skip it. */
  static final String WITHDRAWN = "";
  private static final long[] NO_TIMES = {};

  private final String epoch;
  private long latest;
  /** User streams: the seq up to which a session of the user acknowledged; nothing before it is owed. */
  private long acked;
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
  /** UTF-8 bytes of the kept messages. */
  private long bytes;
  /**
   * When the stream was made or last written (the caller's clock, so the backup agrees); read by the eviction
   * sweep's query like {@link #oldestStoredAt}. Every kept message was stored at or before it.
   */
  private volatile long touchedAt;

  StreamLog(String epoch) {
    this.epoch = epoch;
  }

  StreamLog(String epoch, long madeAt) {
    this.epoch = epoch;
    this.touchedAt = madeAt;
  }

  /** A stream as the store kept it: its position, acknowledgement and newest messages. */
  static StreamLog loaded(String epoch, long latest, long acked, java.util.List<String> newest, long[] storedAt) {
    StreamLog log = new StreamLog(epoch);
    for (int i = 0; i < newest.size(); i++) {
      log.append(newest.get(i), storedAt[i], newest.size(), 0, Long.MIN_VALUE);
    }
    log.latest = latest;
    log.acked = acked;
    return log;
  }

  String epoch() {
    return epoch;
  }

  long acked() {
    return acked;
  }

  /** Raises the acknowledged seq (never past the newest); returns whether it moved. */
  boolean ack(long seq) {
    long to = Math.min(seq, latest);
    if (to <= acked) {
      return false;
    }
    acked = to;
    return true;
  }

  /** As below, with no limit on the kept messages' bytes. */
  long append(String message, long storedAt, int capacity, long cutoff) {
    return append(message, storedAt, capacity, 0, cutoff);
  }

  /**
   * Adds a message stored at {@code storedAt}, keeping at most {@code capacity} (0: none) messages of at most
   * {@code maxBytes} UTF-8 bytes in all (0: no such limit; the caller refuses a message larger than that alone);
   * returns its seq.
   */
  long append(String message, long storedAt, int capacity, long maxBytes, long cutoff) {
    expire(cutoff);
    touchedAt = Math.max(touchedAt, storedAt);
    if (capacity <= 0) {
      latest++;
      return latest;
    }
    int size = utf8Bytes(message);
    while (count > 0 && (count >= capacity || maxBytes > 0 && bytes + size > maxBytes)) {
      dropOldest();
    }
    if (count == stored.length) {
      grow(capacity);
    }
    int slot = slot(count);
    stored[slot] = message;
    this.storedAt[slot] = storedAt;
    bytes += size;
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
      bytes = 0;
    }
    oldestStoredAt = count == 0 ? Long.MAX_VALUE : storedAt[head];
  }

  boolean hasMessagesStoredBefore(long cutoff) {
    return oldestStoredAt < cutoff;
  }

  /** Neither made nor written since {@code cutoff}: every message it ever kept was stored before then. */
  boolean untouchedSince(long cutoff) {
    return touchedAt < cutoff;
  }

  /** UTF-8 bytes of the kept messages. */
  long bytes() {
    return bytes;
  }

  /** The UTF-8 length of {@code s}, without encoding it. */
  static int utf8Bytes(String s) {
    return ByteBufUtil.utf8Bytes(s);
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
    return new LogSlice(start, latest, complete, messages, epoch, oldest, since);
  }

  /**
   * Takes back the message at {@code seq} (if it is still this one): its store commit failed, so its sender was
   * told to retry and no reader may see it. The seq stays used: readers see a hole there, never another message.
   */
  boolean withdraw(long seq, String message) {
    long oldest = oldestKept();
    if (seq < oldest || seq > latest || !stored[slot((int) (seq - oldest))].equals(message)) {
      return false;
    }
    stored[slot((int) (seq - oldest))] = WITHDRAWN;
    bytes -= utf8Bytes(message);
    return true;
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
    bytes -= utf8Bytes(stored[head]);
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

  /** The kept messages, newest first, with their seqs, for readers that filter (a conversation). */
  void forEachNewest(java.util.function.BiPredicate<Long, String> visitor, long cutoff) {
    for (int i = count - 1; i >= 0; i--) {
      if (storedAt[slot(i)] < cutoff) {
        return;
      }
      if (!stored[slot(i)].equals(WITHDRAWN) && !visitor.test(latest - count + 1 + i, stored[slot(i)])) {
        return;
      }
    }
  }

  /** The oldest seq still kept in memory (latest + 1 when none is). */
  long oldestKept() {
    return latest - count + 1;
  }

  /**
   * What a read returns across the cluster: the messages with seqs {@code firstSeq, firstSeq + 1, ...}, the
   * stream's newest seq and epoch, whether nothing the reader asked for was missing, and the oldest seq memory
   * holds (older ones may be in the store), and the {@code since} the read was for.
   */
  record LogSlice(long firstSeq, long latest, boolean complete, ArrayList<String> messages, String epoch,
                  long memoryFrom, long since) implements Serializable {
  }
}
