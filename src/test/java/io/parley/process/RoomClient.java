package io.parley.process;

import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.parley.testing.Sessions.expectOk;

/**
 * A member of one room that behaves like a real client library: a reader thread takes every frame off the
 * connection in order and records it, and when the connection drops it reconnects to another node, authenticates
 * again and joins with {@code since} = the last seq it saw. Requests may be made from any other thread.
 */
final class RoomClient implements AutoCloseable {

  /** A room message as received: seq, author, body, and the node port of the connection it came on. */
  record Received(long seq, String from, JsonObject body, int port) {
  }

  /** A presence push, with when it arrived. */
  record PresencePush(String user, String state, long atNanos) {
  }

  /** The connection ended: the close code the client saw, and when. */
  record Drop(int code, String reason, int port, long atNanos) {
  }

  /** A reconnection: where to, from which seq, how many messages came back before the join's ok, and when done. */
  record Rejoin(int port, long since, int recoveredMessages, boolean recovered, long okSeq, int attempts,
                long doneNanos) {
  }

  /** A request's outcome: the reply (or {@code _lost}/{@code _timeout}), and the connection it went out on. */
  record Reply(JsonObject frame, int port, long sentNanos, long doneNanos) {
    String type() {
      return frame.getString("type");
    }

    long millis() {
      return (doneNanos - sentNanos) / 1_000_000;
    }
  }

  private static final Duration POLL = Duration.ofMillis(250);
  private static final Duration RECONNECT_DEADLINE = Duration.ofSeconds(20);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(15);
  private static final long RETRY_PAUSE_MS = 100;

  private final Vertx vertx;
  private final String user;
  private final String room;
  private final List<Integer> ports;
  private final int home;
  private final boolean reconnects;
  private final Map<String, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final AtomicLong requestIds = new AtomicLong();
  private volatile TestClient client;
  private volatile int port;
  private volatile boolean connected;
  private volatile boolean stopping;
  private Thread reader;
  private long joinSeq;

  // Guarded by this.
  private final List<Received> messages = new ArrayList<>();
  private final List<PresencePush> presence = new ArrayList<>();
  private final List<JsonObject> strays = new ArrayList<>();
  private final List<Drop> drops = new ArrayList<>();
  private final List<Rejoin> rejoins = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();

  private RoomClient(Vertx vertx, String user, String room, List<Integer> ports, int home, boolean reconnects) {
    this.vertx = vertx;
    this.user = user;
    this.room = room;
    this.ports = List.copyOf(ports);
    this.home = home;
    this.reconnects = reconnects;
  }

  /**
   * Connects to {@code ports.get(home)}, authenticates as {@code user} and joins {@code room}. With
   * {@code reconnects} it moves to another of the ports when its connection drops; without, it stays gone.
   */
  static RoomClient open(Vertx vertx, String user, String room, List<Integer> ports, int home, boolean reconnects) {
    RoomClient member = new RoomClient(vertx, user, room, ports, home, reconnects);
    member.client = member.authenticate(ports.get(home));
    member.port = ports.get(home);
    try {
      member.joinSeq = expectOk(member.client.request(new JsonObject().put("type", "join").put("room", room)))
          .getLong("seq");
    } catch (RuntimeException | AssertionError e) {
      member.client.close();
      throw e;
    }
    member.connected = true;
    member.reader = new Thread(member::read, "reader-" + user);
    member.reader.setDaemon(true);
    member.reader.start();
    return member;
  }

  private TestClient authenticate(int target) {
    TestClient fresh = TestClient.connect(vertx, TestClient.options(target));
    try {
      JsonObject ok = fresh.request(new JsonObject().put("type", "auth").put("token", TestNodes.token(vertx, user)));
      if (!"ok".equals(ok.getString("type"))) {
        throw new IllegalStateException(user + ": auth on " + target + " failed: " + ok);
      }
      return fresh;
    } catch (RuntimeException | AssertionError e) {
      fresh.close();
      throw e;
    }
  }

  String user() {
    return user;
  }

  int home() {
    return home;
  }

  int port() {
    return port;
  }

  boolean connected() {
    return connected;
  }

  /** The room's seq when this client first joined: its stream should start right after it. */
  long joinSeq() {
    return joinSeq;
  }

  /**
   * Sends a request (with a fresh id unless it has one) and waits for its reply. Never throws: a request that
   * could not be sent or whose connection dropped first is {@code _lost}; one without reply in time, {@code _timeout}.
   */
  Reply request(JsonObject frame, Duration timeout) {
    return requestAsync(frame, timeout).join();
  }

  /** {@link #request} without waiting: blocks only while the frame is written. The future never fails. */
  CompletableFuture<Reply> requestAsync(JsonObject frame, Duration timeout) {
    long sent = System.nanoTime();
    TestClient current = client;
    int via = port;
    if (!connected) {
      return CompletableFuture.completedFuture(new Reply(synthetic("_lost", "not connected"), via, sent, sent));
    }
    JsonObject request = frame.copy();
    if (request.getValue("id") == null) {
      request.put("id", user + "#" + requestIds.incrementAndGet());
    }
    String id = String.valueOf(request.getValue("id"));
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    pending.put(id, reply);
    try {
      current.send(request);
    } catch (RuntimeException | AssertionError e) {
      pending.remove(id);
      reply.complete(synthetic("_lost", "send failed: " + e.getMessage()));
    }
    return reply
        .completeOnTimeout(synthetic("_timeout", "no reply within " + timeout.toMillis() + " ms"),
            timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(answer -> {
          pending.remove(id, reply);
          return new Reply(answer, via, sent, System.nanoTime());
        });
  }

  private static JsonObject synthetic(String type, String message) {
    return new JsonObject().put("type", type).put("message", message);
  }

  private void read() {
    TestClient current = client;
    while (true) {
      JsonObject frame;
      try {
        frame = current.next(f -> true, POLL);
      } catch (AssertionError noFrame) {
        if (!current.isClosed()) {
          continue; // nothing within the poll time
        }
        if (stopping) {
          return;
        }
        dropped(current);
        if (!reconnects) {
          return;
        }
        current = reconnect();
        if (current == null) {
          return;
        }
        continue;
      }
      handle(frame);
    }
  }

  private void handle(JsonObject frame) {
    String type = String.valueOf(frame.getValue("type"));
    switch (type) {
      case "message" -> {
        if (room.equals(frame.getString("room"))) {
          synchronized (this) {
            messages.add(new Received(frame.getLong("seq"), frame.getString("from"),
                frame.getValue("body") instanceof JsonObject body ? body : new JsonObject(), port));
          }
        } else {
          stray(frame);
        }
      }
      case "presence" -> {
        synchronized (this) {
          presence.add(new PresencePush(frame.getString("user"), frame.getString("state"), System.nanoTime()));
        }
      }
      case "disconnect" -> {
        // the node says why it is about to close (PROTOCOL.md 1.1); the close that follows is what is checked
      }
      case "ok", "error", "pong" -> {
        CompletableFuture<JsonObject> waiting = pending.remove(String.valueOf(frame.getValue("id")));
        if (waiting != null) {
          waiting.complete(frame);
        } else {
          stray(frame);
        }
      }
      default -> stray(frame);
    }
  }

  private synchronized void stray(JsonObject frame) {
    strays.add(frame);
  }

  private void dropped(TestClient gone) {
    connected = false;
    int code = gone.awaitClose(Duration.ZERO);
    synchronized (this) {
      drops.add(new Drop(code, gone.closeReason(), port, System.nanoTime()));
    }
    pending.forEach((id, waiting) -> waiting.complete(synthetic("_lost", "connection closed with " + code)));
    pending.clear();
    gone.close();
  }

  /** Tries the other nodes in turn (its own last), then joins with since; null if it gave up (recorded). */
  private TestClient reconnect() {
    long deadline = System.nanoTime() + RECONNECT_DEADLINE.toNanos();
    long since = lastSeq();
    int attempts = 0;
    // Spread the clients of one node over the others: odd and even user names start at different nodes.
    int shift = Math.floorMod(user.hashCode(), ports.size() - 1);
    while (!stopping && System.nanoTime() < deadline) {
      for (int i = 1; i <= ports.size() && !stopping; i++) {
        int target = ports.get((home + shift + i) % ports.size());
        attempts++;
        TestClient fresh;
        try {
          fresh = authenticate(target);
        } catch (RuntimeException | AssertionError refused) {
          continue;
        }
        port = target;
        TestClient joined = rejoin(fresh, target, since, attempts);
        if (joined != null) {
          return joined;
        }
        fresh.close();
      }
      pause(RETRY_PAUSE_MS);
    }
    fail("gave up reconnecting after " + attempts + " attempts");
    return null;
  }

  /**
   * Joins with since on a fresh connection, taking frames in order: every message before the ok was recovered.
   * Retries on {@code unavailable} (the cluster is migrating partitions); null on anything else.
   */
  private TestClient rejoin(TestClient fresh, int target, long since, int attempts) {
    int recovered = 0;
    for (int tries = 1; tries <= 50; tries++) {
      String id = user + "-rejoin-" + tries;
      try {
        fresh.send(new JsonObject().put("type", "join").put("room", room).put("since", since).put("id", id));
        while (true) {
          JsonObject frame = fresh.next(f -> true, JOIN_TIMEOUT);
          if (!id.equals(frame.getValue("id"))) {
            if ("message".equals(frame.getString("type"))) {
              recovered++;
            }
            handle(frame);
            continue;
          }
          if ("ok".equals(frame.getString("type"))) {
            synchronized (this) {
              rejoins.add(new Rejoin(target, since, recovered, Boolean.TRUE.equals(frame.getBoolean("recovered")),
                  frame.getLong("seq"), attempts, System.nanoTime()));
            }
            client = fresh;
            connected = true;
            return fresh;
          }
          if (!"unavailable".equals(frame.getString("code"))) {
            fail("join since " + since + " on " + target + " failed: " + frame.encode());
            return null;
          }
          break; // unavailable: try again shortly
        }
      } catch (RuntimeException | AssertionError e) {
        fail("join since " + since + " on " + target + " broke: " + e.getMessage());
        return null;
      }
      pause(RETRY_PAUSE_MS);
    }
    fail("join since " + since + " on " + target + " stayed unavailable");
    return null;
  }

  private synchronized void fail(String what) {
    failures.add(what);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last seq received, or the join's seq before any message. */
  synchronized long lastSeq() {
    return messages.isEmpty() ? joinSeq : messages.get(messages.size() - 1).seq();
  }

  synchronized List<Received> messages() {
    return List.copyOf(messages);
  }

  synchronized List<PresencePush> presence() {
    return List.copyOf(presence);
  }

  synchronized List<JsonObject> strays() {
    return List.copyOf(strays);
  }

  synchronized List<Drop> drops() {
    return List.copyOf(drops);
  }

  synchronized List<Rejoin> rejoins() {
    return List.copyOf(rejoins);
  }

  synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  /** Closes the connection; the reader stops instead of reconnecting. Idempotent. */
  @Override
  public void close() {
    stopping = true;
    TestClient current = client;
    if (current != null) {
      current.close();
    }
    if (reader != null) {
      try {
        reader.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return user + "@" + port;
  }
}
