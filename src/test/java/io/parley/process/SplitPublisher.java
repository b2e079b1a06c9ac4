package io.parley.process;

import io.parley.testing.Http;
import io.parley.testing.TestClient;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes to a room at a steady pace on its own thread, one request at a time, each with a unique id and a body
 * {@code {"p": user, "k": n}}; records every outcome. Never retries: what counts is what was acknowledged.
 */
final class SplitPublisher {

  /** One publish and its reply ({@code null}: none within the timeout, outcome unknown). */
  record Attempt(String id, long k, long sentNanos, long doneNanos, JsonObject reply) {
    boolean acknowledged() {
      return reply != null && "ok".equals(reply.getString("type"));
    }

    String code() {
      return reply == null ? "no_reply" : reply.getString("code", reply.getString("type"));
    }
  }

  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);

  private final TestClient client;
  private final String user;
  private final String room;
  private final long intervalMs;
  private final Thread thread;
  private final List<Attempt> attempts = new ArrayList<>();
  private volatile boolean stopped;

  SplitPublisher(TestClient client, String user, String room, long intervalMs) {
    this.client = client;
    this.user = user;
    this.room = room;
    this.intervalMs = intervalMs;
    this.thread = new Thread(this::run, "split-publisher-" + user);
    this.thread.setDaemon(true);
  }

  String user() {
    return user;
  }

  void start() {
    thread.start();
  }

  void stop() {
    stopped = true;
    try {
      thread.join(REPLY_TIMEOUT.toMillis() + 5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  List<Attempt> attempts() {
    synchronized (attempts) {
      return List.copyOf(attempts);
    }
  }

  long acknowledgedAfter(long nanos) {
    return attempts().stream().filter(a -> a.acknowledged() && a.sentNanos() > nanos).count();
  }

  private void run() {
    for (long k = 1; !stopped; k++) {
      String id = user + "/" + k;
      long sent = System.nanoTime();
      JsonObject reply;
      try {
        client.send(new JsonObject().put("type", "publish").put("id", id).put("room", room)
            .put("body", new JsonObject().put("p", user).put("k", k)));
        reply = client.next(f -> id.equals(f.getValue("id")), REPLY_TIMEOUT);
      } catch (AssertionError | RuntimeException e) {
        reply = null;
      }
      synchronized (attempts) {
        attempts.add(new Attempt(id, k, sent, System.nanoTime(), reply));
      }
      if (client.isClosed()) {
        return;
      }
      Http.sleep(intervalMs); // the pace of a chatty client, not a wait for a condition
    }
  }
}
