package io.parley.process;

import io.parley.testing.Http;
import io.parley.testing.Poll;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes to many rooms and sends private messages to a few users from several connections at once, each on
 * its own thread, until stopped or until its node goes away: the interleaving of rooms, senders and nodes is
 * random. What was acknowledged is recorded; that is what a crash must not lose.
 */
final class StreamTraffic implements AutoCloseable {

  /** An acknowledged publish: the seq the room gave it and its body's tag. */
  record Published(String room, long seq, String tag) {
  }

  /** An acknowledged private message: recipient, message id, and its seq in the sender's stream. */
  record Sent(String from, String to, String mid, long senderSeq, String tag) {
  }

  private static final long SEND_PAUSE_MS = 20;

  private final Vertx vertx;
  private final List<Integer> ports;
  private final int rooms;
  private final int recipients;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  final Map<String, Published> published = new ConcurrentHashMap<>();
  final Map<String, Sent> sent = new ConcurrentHashMap<>();

  StreamTraffic(Vertx vertx, List<Integer> ports, int rooms, int recipients) {
    this.vertx = vertx;
    this.ports = ports;
    this.rooms = rooms;
    this.recipients = recipients;
  }

  static String room(int i) {
    return "durable-" + i;
  }

  static String recipient(int i) {
    return "reader-" + i;
  }

  /** {@code publishers} publishing connections and {@code senders} sending ones, spread over the nodes. */
  StreamTraffic start(int publishers, int senders) {
    for (int i = 0; i < publishers; i++) {
      int n = i;
      spawn("publisher-" + n, ports.get(n % ports.size()), client -> publishOnce(client, "publisher-" + n));
    }
    for (int i = 0; i < senders; i++) {
      int n = i;
      spawn("sender-" + n, ports.get((n + 1) % ports.size()), client -> sendOnce(client, "sender-" + n));
    }
    return this;
  }

  private void spawn(String user, int port, java.util.function.Consumer<TestClient> step) {
    Thread thread = new Thread(() -> {
      try (TestClient client = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, port)) {
        // publishers publish without joining (as backends do), so they are not sent every room's traffic
        JsonObject ok = client.request(new JsonObject().put("type", "auth")
            .put("token", TestNodes.token(vertx, user, List.of("*"), List.of("durable-*"))));
        if (!"ok".equals(ok.getString("type"))) {
          throw new AssertionError(user + " could not authenticate: " + ok);
        }
        while (running.get()) {
          step.accept(client);
        }
      } catch (RuntimeException | AssertionError e) {
        // the node died under this connection: what it acknowledged is recorded, the rest is not promised
      }
    }, user);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private int counter;

  private void publishOnce(TestClient client, String user) {
    String room = room(ThreadLocalRandom.current().nextInt(rooms));
    request(client, user, new JsonObject().put("type", "publish").put("room", room),
        (tag, ok) -> published.put(tag, new Published(room, ok.getLong("seq"), tag)));
  }

  private void sendOnce(TestClient client, String user) {
    String to = recipient(ThreadLocalRandom.current().nextInt(recipients));
    request(client, user, new JsonObject().put("type", "send").put("to", to),
        (tag, ok) -> sent.put(tag, new Sent(user, to, ok.getString("mid"), ok.getLong("seq"), tag)));
    Http.sleep(SEND_PAUSE_MS); // fewer private messages than users.history.size keeps, whatever the run's length
  }

  /** Sends {@code request} with a unique tag as its body and id; records it through {@code onOk} if acknowledged. */
  private void request(TestClient client, String user, JsonObject request,
                       java.util.function.BiConsumer<String, JsonObject> onOk) {
    String tag = user + "/" + nextCount();
    JsonObject reply = client.request(request.put("body", new JsonObject().put("tag", tag)).put("id", tag));
    if ("ok".equals(reply.getString("type"))) {
      onOk.accept(tag, reply);
    }
  }

  private synchronized int nextCount() {
    return ++counter;
  }

  /** Waits until at least {@code publishes} publishes and {@code sends} sends were acknowledged. */
  StreamTraffic awaitAcknowledged(int publishes, int sends, java.time.Duration timeout) {
    if (!Poll.until(() -> published.size() >= publishes && sent.size() >= sends, timeout)) {
      throw new AssertionError("acknowledged only " + published.size() + " publishes and " + sent.size() + " sends");
    }
    return this;
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread thread : threads) {
      try {
        thread.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
