package io.parley.session;

import io.parley.cluster.UserStreams;
import io.parley.protocol.Frames;
import io.vertx.core.Vertx;

import java.util.TreeMap;

/**
 * Puts one session's pushes of its user's stream in seq order, each seq once. Pushes from senders on different
 * nodes may arrive out of order, and the session's own sends take seqs it is never pushed; a client may then
 * acknowledge cumulatively without skipping anything. While the auth's replay of what is owed is under way,
 * pushes wait; a seq missing for {@link #GAP_WAIT_MS} is read from the stream.
 */
final class UserStreamCursor {

  static final long GAP_WAIT_MS = 200;
  /** Beyond this many pushes held back, the gap is read at once. */
  static final int MAX_AHEAD = 1000;
  /** Held for a seq the session sent itself: nothing to write. */
  private static final String OWN = "";

  private final Vertx vertx;
  private final UserStreams streams;
  private final String user;
  private final java.util.function.Consumer<String> out;
  /** Everything up to here was written to the client (or acknowledged before); -1 until the replay ended. */
  private long delivered = -1;
  private final TreeMap<Long, String> ahead = new TreeMap<>();
  private long gapTimer = -1;
  private boolean fetching;
  private boolean closed;

  UserStreamCursor(Vertx vertx, UserStreams streams, String user, java.util.function.Consumer<String> out) {
    this.vertx = vertx;
    this.streams = streams;
    this.user = user;
    this.out = out;
  }

  /** The replay is written: the client holds the stream up to {@code upTo}; what waited goes out. */
  void replayed(long upTo) {
    delivered = upTo;
    ahead.headMap(upTo + 1).clear();
    drain();
  }

  void onPush(long seq, String frame) {
    if (delivered >= 0 && seq <= delivered) {
      return;
    }
    ahead.put(seq, frame);
    drain();
  }

  /** The session's own send took {@code seq} in the stream: the client has it from the reply. */
  void onOwnSend(long seq) {
    onPush(seq, OWN);
  }

  void close() {
    closed = true;
    vertx.cancelTimer(gapTimer);
  }

  private void drain() {
    if (delivered < 0 || closed) {
      return;
    }
    while (!ahead.isEmpty() && ahead.firstKey() == delivered + 1) {
      write(ahead.pollFirstEntry().getValue());
      delivered++;
    }
    if (ahead.isEmpty()) {
      vertx.cancelTimer(gapTimer);
      gapTimer = -1;
    } else if (ahead.size() > MAX_AHEAD) {
      fillGap();
    } else if (gapTimer < 0) {
      gapTimer = vertx.setTimer(GAP_WAIT_MS, id -> {
        gapTimer = -1;
        fillGap();
      });
    }
  }

  private void write(String frame) {
    if (frame != OWN) {
      out.accept(frame);
    }
  }

  /** Reads the missing seqs from the stream; what it no longer holds is skipped (it is gone for every reader). */
  private void fillGap() {
    if (fetching || ahead.isEmpty() || closed) {
      return;
    }
    fetching = true;
    long from = delivered;
    long to = ahead.firstKey() - 1;
    streams.read(user, from, (int) Math.min(Integer.MAX_VALUE, to - from)).onComplete(result -> {
      fetching = false;
      if (closed) {
        return;
      }
      if (result.succeeded()) {
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
      }
      drain(); // after a failed read the timer starts again
    });
  }
}
