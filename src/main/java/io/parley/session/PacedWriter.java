package io.parley.session;

import io.parley.protocol.CloseCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * Writes a long run of frames (a join's recovery, what an auth owes) no faster than the client takes them: each
 * frame waits until less than half of {@code limits.maxQueuedBytes} is queued for the client, so a recovery
 * larger than the queue goes out page by page instead of closing the session with 4008 on every reconnect. A
 * client that takes nothing for {@code heartbeat.timeoutMs} is gone: it is closed as a slow consumer.
 */
final class PacedWriter {

  /** How often a writer that waits looks at the client's queue again. */
  static final long POLL_MS = 10;

  private final Vertx vertx;
  private final Session session;
  private final long lowWaterBytes;
  private final long stallMs;

  PacedWriter(Vertx vertx, Session session, int maxQueuedBytes, long stallMs) {
    this.vertx = vertx;
    this.session = session;
    this.lowWaterBytes = Math.max(1, maxQueuedBytes / 2);
    this.stallMs = stallMs;
  }

  /** Completes once every frame was written, or fails when the session closed before. */
  Future<Void> write(List<String> frames) {
    Promise<Void> done = Promise.promise();
    new Run(frames, done).next();
    return done.future();
  }

  private final class Run {
    private final List<String> frames;
    private final Promise<Void> done;
    private int index;
    private long lastProgressNanos = System.nanoTime();

    Run(List<String> frames, Promise<Void> done) {
      this.frames = frames;
      this.done = done;
    }

    void next() {
      while (index < frames.size() && !session.isClosed()
          && session.transport().queuedBytes() < lowWaterBytes) {
        session.send(frames.get(index++));
        lastProgressNanos = System.nanoTime();
      }
      if (session.isClosed()) {
        done.tryFail("session closed");
      } else if (index == frames.size()) {
        done.tryComplete();
      } else if ((System.nanoTime() - lastProgressNanos) / 1_000_000 > stallMs) {
        session.close(CloseCode.POLICY, "slow consumer: recovery not read");
        done.tryFail("slow consumer");
      } else {
        vertx.setTimer(POLL_MS, t -> next());
      }
    }
  }
}
