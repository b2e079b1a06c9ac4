package io.parley.session;

import io.parley.cluster.StreamPosition;
import io.parley.cluster.UserStreams;
import io.parley.protocol.Frames;
import io.vertx.core.Vertx;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Puts one session's pushes of its user's stream in seq order, each seq once. Pushes from senders on different
 * nodes may arrive out of order, and the session's own sends take seqs it is never pushed; a client may then
 * acknowledge cumulatively without skipping anything. While the auth's replay of what is owed is under way,
 * pushes wait; a seq missing for {@link #GAP_WAIT_MS} is read from the stream.
 *
 * <p>When the stream begins anew (a memory-only stream whose every copy died: PROTOCOL.md 1.1), the client gets
 * {@code reset} with the new epoch and seq 0, then every message of the new run from seq 1: a message written
 * there before this node noticed is read from the stream, so the client can acknowledge the new run without
 * skipping one. Pushes of the run left behind that arrive late are dropped.
 */
final class UserStreamCursor {

  static final long GAP_WAIT_MS = 200;
  /** Beyond this many pushes held back, the gap is read at once. */
  static final int MAX_AHEAD = 1000;
  private static final int EPOCH_CHECK_ATTEMPTS = 10;
  private static final long EPOCH_CHECK_RETRY_MS = 1000;
  /** Held for a seq the session sent itself: nothing to write. */
  private static final String OWN = "";

  private final Vertx vertx;
  private final UserStreams streams;
  private final String user;
  private final Consumer<String> out;
  /** The run the client holds; null until the replay ended. */
  private String epoch;
  private final Set<String> retiredEpochs = new HashSet<>();
  /** Everything up to here was written to the client (or acknowledged before); -1 until the replay ended. */
  private long delivered = -1;
  private final TreeMap<Long, Held> ahead = new TreeMap<>();
  private long gapTimer = -1;
  /** Counts runs: a read begun in an earlier one is ignored. */
  private int generation;
  private boolean fetching;
  private boolean closed;

  private record Held(String epoch, String frame) {
  }

  UserStreamCursor(Vertx vertx, UserStreams streams, String user, Consumer<String> out) {
    this.vertx = vertx;
    this.streams = streams;
    this.user = user;
    this.out = out;
  }

  /** The replay is written: the client holds the stream up to {@code upTo} in {@code epoch}; what waited goes out. */
  void replayed(long upTo, String epoch) {
    this.epoch = epoch;
    delivered = upTo;
    TreeMap<Long, Held> waited = new TreeMap<>(ahead);
    ahead.clear();
    waited.forEach((seq, held) -> take(new StreamPosition(seq, held.epoch), held.frame));
    drain();
  }

  void onPush(StreamPosition position, String frame) {
    take(position, frame);
    drain();
  }

  /** The session's own send took {@code position} in the stream: the client has it from the reply. */
  void onOwnSend(StreamPosition position) {
    onPush(position, OWN);
  }

  /** The stream may have lost every copy: if it has another epoch now, the client is told and brought up to it. */
  void checkEpoch() {
    checkEpoch(EPOCH_CHECK_ATTEMPTS);
  }

  private void checkEpoch(int attemptsLeft) {
    if (epoch == null || closed) {
      return;
    }
    streams.position(user).onComplete(result -> {
      if (closed) {
        return;
      }
      if (result.failed()) {
        // right after a crash the cluster may not answer yet (backups missing, partitions moving)
        if (attemptsLeft > 1) {
          vertx.setTimer(EPOCH_CHECK_RETRY_MS, t -> checkEpoch(attemptsLeft - 1));
        }
      } else if (isNewRun(result.result().epoch())) {
        beginAnew(result.result().epoch());
        fill(result.result().seq());
      }
    });
  }

  void close() {
    closed = true;
    vertx.cancelTimer(gapTimer);
  }

  private void take(StreamPosition position, String frame) {
    if (epoch == null) {
      ahead.put(position.seq(), new Held(position.epoch(), frame)); // sorted out once the replay ended
      return;
    }
    if (retiredEpochs.contains(position.epoch())) {
      return;
    }
    if (isNewRun(position.epoch())) {
      beginAnew(position.epoch());
    }
    if (position.seq() > delivered) {
      ahead.put(position.seq(), new Held(position.epoch(), frame));
    }
  }

  private boolean isNewRun(String other) {
    return other != null && !other.equals(epoch) && !retiredEpochs.contains(other);
  }

  private void beginAnew(String newEpoch) {
    retiredEpochs.add(epoch);
    epoch = newEpoch;
    generation++;
    fetching = false;
    delivered = 0;
    ahead.clear();
    vertx.cancelTimer(gapTimer);
    gapTimer = -1;
    out.accept(Frames.userReset(user, newEpoch, 0));
  }

  private void drain() {
    if (epoch == null || closed) {
      return;
    }
    while (!ahead.isEmpty() && ahead.firstKey() == delivered + 1) {
      write(ahead.pollFirstEntry().getValue().frame);
      delivered++;
    }
    if (ahead.isEmpty()) {
      vertx.cancelTimer(gapTimer);
      gapTimer = -1;
    } else if (ahead.size() > MAX_AHEAD) {
      fill(ahead.firstKey() - 1);
    } else if (gapTimer < 0) {
      gapTimer = vertx.setTimer(GAP_WAIT_MS, id -> {
        gapTimer = -1;
        if (!ahead.isEmpty()) {
          fill(ahead.firstKey() - 1);
        }
      });
    }
  }

  private void write(String frame) {
    if (frame != OWN) {
      out.accept(frame);
    }
  }

  /**
   * Reads the seqs after what was delivered up to {@code to} from the stream; what it no longer holds is skipped
   * (it is gone for every reader).
   */
  private void fill(long to) {
    if (fetching || closed || to <= delivered) {
      return;
    }
    fetching = true;
    int run = generation;
    long from = delivered;
    streams.read(user, from, (int) Math.min(Integer.MAX_VALUE, to - from)).onComplete(result -> {
      if (closed || run != generation) {
        return;
      }
      fetching = false;
      if (result.succeeded() && epoch.equals(result.result().epoch())) {
        UserStreams.UserPage page = result.result();
        for (int i = 0; i < page.seqs().size(); i++) {
          long seq = page.seqs().get(i);
          if (seq == delivered + 1 && seq <= to) {
            ahead.remove(seq);
            out.accept(Frames.privateMessage(seq, page.messages().get(i)));
            delivered = seq;
          }
        }
        delivered = Math.max(delivered, to);
      } else if (result.succeeded() && isNewRun(result.result().epoch())) {
        beginAnew(result.result().epoch());
        fill(result.result().latest());
        return;
      }
      drain(); // after a failed read, or one of another run, the timer starts again
    });
  }
}
