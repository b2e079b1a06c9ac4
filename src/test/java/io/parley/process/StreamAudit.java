package io.parley.process;

import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks, against live nodes, what {@link StreamTraffic} was promised: every acknowledged publish in its room's
 * history at its seq, every acknowledged private message owed to its recipient, once per seq; and records each
 * room's position, so a restart can be compared with what came before. Failures are collected, not thrown one by
 * one, so a broken run shows all it broke.
 */
final class StreamAudit {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final List<String> failures = new ArrayList<>();

  StreamAudit(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A room's position as a reader sees it. */
  record Position(long seq, String epoch) {
  }

  List<String> failures() {
    return failures;
  }

  private void fail(String failure) {
    if (failures.size() < 50) {
      failures.add(failure);
    }
  }

  /** Every acknowledged publish is in history at its seq; returns each room's position. */
  Map<String, Position> checkRooms(int port, StreamTraffic traffic, int rooms) {
    Map<String, Position> positions = new TreeMap<>();
    try (TestClient reader = reader(port, "auditor")) {
      for (int i = 0; i < rooms; i++) {
        String room = StreamTraffic.room(i);
        JsonObject history = reader.request(new JsonObject().put("type", "history").put("room", room));
        Map<Long, String> tags = new HashMap<>();
        for (Object m : history.getJsonArray("messages", new JsonArray())) {
          JsonObject message = (JsonObject) m;
          if (tags.put(message.getLong("seq"), message.getJsonObject("body").getString("tag")) != null) {
            fail(room + ": seq " + message.getLong("seq") + " twice in history");
          }
        }
        positions.put(room, new Position(history.getLong("seq", 0L), history.getString("epoch")));
        for (StreamTraffic.Published p : traffic.published.values()) {
          if (p.room().equals(room) && !p.tag().equals(tags.get(p.seq()))) {
            fail(room + ": acknowledged seq " + p.seq() + " (" + p.tag() + ") reads as " + tags.get(p.seq()));
          }
        }
      }
    }
    return positions;
  }

  /**
   * Every acknowledged private message is owed to its recipient (none acknowledged it): an auth delivers each,
   * once per seq, and the sender's stream holds it at the seq its reply gave.
   */
  void checkPrivate(int port, StreamTraffic traffic, int recipients) {
    for (int i = 0; i < recipients; i++) {
      String user = StreamTraffic.recipient(i);
      Set<String> owed = new HashSet<>();
      traffic.sent.values().stream().filter(s -> s.to().equals(user)).forEach(s -> owed.add(s.mid()));
      try (TestClient reader = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, port)) {
        JsonObject ok = reader.request(new JsonObject().put("type", "auth").put("token", TestNodes.token(vertx, user)));
        long latest = ok.getLong("seq", 0L);
        Set<Long> seqs = new HashSet<>();
        Set<String> got = new HashSet<>();
        for (long n = 0; n < latest; n++) {
          JsonObject message = reader.next(f -> "message".equals(f.getString("type")), WAIT);
          if (!seqs.add(message.getLong("seq"))) {
            fail(user + ": seq " + message.getLong("seq") + " delivered twice");
          }
          got.add(message.getString("mid"));
        }
        owed.removeAll(got);
        if (!owed.isEmpty()) {
          fail(user + ": " + owed.size() + " acknowledged private messages not delivered, e.g. " + owed.iterator().next());
        }
      } catch (AssertionError e) {
        fail(user + ": " + e.getMessage());
      }
    }
    Map<String, List<StreamTraffic.Sent>> bySender = new HashMap<>();
    traffic.sent.values().forEach(s -> bySender.computeIfAbsent(s.from(), k -> new ArrayList<>()).add(s));
    bySender.forEach((sender, sends) -> {
      try (TestClient reader = reader(port, sender)) {
        for (StreamTraffic.Sent s : sends) {
          JsonObject conversation = reader.request(new JsonObject().put("type", "history").put("with", s.to()));
          boolean found = conversation.getJsonArray("messages").stream().map(JsonObject.class::cast)
              .anyMatch(m -> m.getString("mid").equals(s.mid()) && m.getLong("seq") == s.senderSeq());
          if (!found) {
            fail(sender + ": sent " + s.mid() + " not in its conversation with " + s.to() + " at seq " + s.senderSeq());
          }
        }
      }
    });
  }

  /**
   * A connection for reading, authenticated; its own owed messages are ignored. Right after a restart of the
   * whole cluster the first auth may wait on partition migrations past a request's 5 s: the audit checks what
   * was kept, not how fast, so it tries again on a new connection for up to 30 s.
   */
  TestClient reader(int port, String user) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (true) {
      TestClient client = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, port);
      try {
        JsonObject ok = client.request(new JsonObject().put("type", "auth").put("token", TestNodes.token(vertx, user)));
        if (!"ok".equals(ok.getString("type"))) {
          throw new AssertionError(user + " could not authenticate: " + ok);
        }
        return client;
      } catch (AssertionError slow) {
        client.close();
        if (System.nanoTime() > deadline) {
          throw slow;
        }
      }
    }
  }
}
