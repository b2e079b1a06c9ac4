package io.parley.process;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Publishes to a room through one {@link RoomClient} at a steady pace on its own thread, without waiting for
 * each reply (as a chat client does), each with a unique id and a body {@code {"p": user, "k": n}} that says who
 * sent it. Records every outcome.
 * While its client is reconnecting it waits; it never resubmits a publish whose outcome it did not learn.
 */
final class Publisher {

  /** One publish: its number, and the reply (ok with seq, error with code, {@code _lost} or {@code _timeout}). */
  record Attempt(String id, long k, RoomClient.Reply reply) {
    boolean acknowledged() {
      return "ok".equals(reply.type());
    }

    long seq() {
      return reply.frame().getLong("seq");
    }

    /** The error code, or the synthetic type for a publish that never got a reply. */
    String failure() {
      return "error".equals(reply.type()) ? reply.frame().getString("code") : reply.type();
    }
  }

  static final Duration REPLY_TIMEOUT = Duration.ofSeconds(15);
  /** Publishes go out at the pace whatever the latency, up to this many awaiting their reply. */
  static final int MAX_IN_FLIGHT = 200;

  private final RoomClient client;
  private final String room;
  private final long intervalMs;
  private final Thread thread;
  private final List<Attempt> attempts = new ArrayList<>();
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private volatile boolean stopped;

  Publisher(RoomClient client, String room, long intervalMs) {
    this.client = client;
    this.room = room;
    this.intervalMs = intervalMs;
    this.thread = new Thread(this::run, "publisher-" + client.user());
    this.thread.setDaemon(true);
  }

  RoomClient client() {
    return client;
  }

  void start() {
    thread.start();
  }

  /** Stops after the publish in flight (if any) has its outcome. */
  void stop() {
    stopped = true;
    try {
      thread.join(5000);
      // every publish in flight ends within REPLY_TIMEOUT, with its reply or as _timeout
      if (inFlight.tryAcquire(MAX_IN_FLIGHT, REPLY_TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS)) {
        inFlight.release(MAX_IN_FLIGHT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  private void run() {
    long next = System.nanoTime();
    long k = 0;
    while (!stopped) {
      if (!client.connected() || inFlight.availablePermits() == 0) {
        sleepMillis(5);
        next = System.nanoTime();
        continue;
      }
      k++;
      long number = k;
      String id = client.user() + "/" + number;
      JsonObject publish = new JsonObject().put("type", "publish").put("room", room).put("id", id)
          .put("body", new JsonObject().put("p", client.user()).put("k", number));
      inFlight.acquireUninterruptibly();
      client.requestAsync(publish, REPLY_TIMEOUT).thenAccept(reply -> {
        synchronized (this) {
          attempts.add(new Attempt(id, number, reply));
        }
        inFlight.release();
      });
      // a steady pace, without bursts to catch up after a stall
      next = Math.max(next + intervalMs * 1_000_000, System.nanoTime());
      long wait = next - System.nanoTime();
      if (wait > 0) {
        sleepMillis(Math.max(1, wait / 1_000_000));
      }
    }
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
