package io.parley.process;

import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static io.parley.testing.Sessions.untilOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 section 2, "Epochs: never silent": three nodes with no store, two of them killed at once. The rooms
 * whose both copies died begin a new epoch; members on the survivor are sent {@code reset} and receive every
 * message acknowledged afterwards, and a join with the old epoch says {@code recovered:false}. User streams
 * likewise: their sessions get {@code reset} and every message sent afterwards.
 */
@DisplayName("memory only: streams whose every copy died begin a new epoch, and nobody is left silent")
class LostStreamsTest {

  private static final int ROOMS = 48;
  private static final int USERS = 48;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final Vertx vertx = Vertx.vertx();
  private ProcessCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    vertx.close();
  }

  @Test
  @DisplayName("two of three nodes killed together: resets, every later publish delivered, recovered:false")
  void twoOfThreeKilled() {
    // quorum off: this is about losing data, not a split (a lone survivor of three would refuse writes;
    // SplitBrainTest covers that)
    int port = startThreeAndKeepOne();
    try (TestClient member = authenticated(port, "member", List.of("*"), List.of());
         TestClient publisher = authenticated(port, "backend", List.of("*"), List.of("lost-*"))) {
      Map<String, String> oldEpochs = new HashMap<>();
      for (int i = 0; i < ROOMS; i++) {
        JsonObject joined = member.request(new JsonObject().put("type", "join").put("room", room(i)));
        oldEpochs.put(room(i), joined.getString("epoch"));
        assertEquals(1L, publishUntilOk(publisher, room(i), "before").getLong("seq"));
      }
      killTwo();

      Map<String, String> tags = new HashMap<>();
      Set<String> lost = new HashSet<>();
      for (int i = 0; i < ROOMS; i++) {
        JsonObject ok = publishUntilOk(publisher, room(i), "after-" + i);
        tags.put(room(i), "after-" + i);
        if (ok.getLong("seq") == 1) {
          lost.add(room(i));
        } else {
          assertEquals(2L, ok.getLong("seq"), room(i) + " kept its stream: it goes on");
        }
      }
      System.out.println(lost.size() + " of " + ROOMS + " rooms lost every copy");
      assertTrue(lost.size() > 0, "with two of three nodes gone some rooms lost both copies");

      List<String> problems = new ArrayList<>();
      Set<String> resetRooms = new HashSet<>();
      Set<String> delivered = new HashSet<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (delivered.size() < ROOMS && System.nanoTime() < deadline) {
        JsonObject frame = member.next(f -> f.containsKey("room"), WAIT);
        String room = frame.getString("room");
        if ("reset".equals(frame.getString("type"))) {
          resetRooms.add(room);
          if (!lost.contains(room)) {
            problems.add(room + " was reset but kept its stream");
          }
          if (oldEpochs.get(room).equals(frame.getString("epoch"))) {
            problems.add(room + " was reset to its old epoch");
          }
        } else if ("message".equals(frame.getString("type"))) {
          String tag = frame.getJsonObject("body").getString("tag");
          if (tags.get(room).equals(tag)) {
            delivered.add(room);
            if (lost.contains(room) && !resetRooms.contains(room)) {
              problems.add(room + ": a message of the new epoch came before the reset");
            }
          }
        }
      }
      assertEquals(List.of(), problems);
      assertEquals(ROOMS, delivered.size(), "every publish acknowledged after the crash reached the member");
      assertEquals(lost, resetRooms, "exactly the rooms that lost every copy were reset");
      for (int i = 0; i < ROOMS; i++) {
        assertEquals(List.of("member"), presenceWithin(member, room(i), List.of("member")),
            room(i) + ": presence keeps the member who is still connected");
      }

      try (TestClient returning = authenticated(port, "returning", List.of("*"), List.of())) {
        for (int i = 0; i < ROOMS; i++) {
          String room = room(i);
          JsonObject joined = returning.request(new JsonObject().put("type", "join").put("room", room)
              .put("since", 1).put("epoch", oldEpochs.get(room)));
          assertEquals(!lost.contains(room), joined.getBoolean("recovered"), room + ": " + joined);
          if (lost.contains(room)) {
            assertNotEquals(oldEpochs.get(room), joined.getString("epoch"));
          }
        }
      }
    }
  }

  @Test
  @DisplayName("two of three nodes killed together: user streams that lost every copy push reset, then go on")
  void userStreamsBeginAnew() {
    int port = startThreeAndKeepOne();
    List<TestClient> clients = new ArrayList<>();
    try (TestClient sender = authenticated(port, "sender", List.of("*"), List.of())) {
      Map<String, String> oldEpochs = new HashMap<>();
      for (int i = 0; i < USERS; i++) {
        TestClient client = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, port);
        clients.add(client);
        oldEpochs.put(user(i), authenticate(client, user(i)).getString("epoch"));
        sendUntilOk(sender, user(i), "before");
        assertEquals(1L, client.next(isMessage("before"), WAIT).getLong("seq"));
        client.ack(1);
      }
      killTwo();

      // a second session of each user learns which streams began anew: its auth's epoch is another
      Set<String> lost = new HashSet<>();
      for (int i = 0; i < USERS; i++) {
        if (!oldEpochs.get(user(i)).equals(epochOnReconnect(port, user(i), 1, oldEpochs.get(user(i))))) {
          lost.add(user(i));
        }
      }
      System.out.println(lost.size() + " of " + USERS + " user streams lost every copy");
      assertTrue(lost.size() > 0, "with two of three nodes gone some user streams lost both copies");

      // with nothing sent to them, the sessions of those users are told (the node saw the partitions lost)
      Map<String, String> newEpochs = new HashMap<>();
      for (int i = 0; i < USERS; i++) {
        if (lost.contains(user(i))) {
          JsonObject reset = clients.get(i).next(isReset(), WAIT);
          assertEquals(user(i), reset.getString("user"));
          assertEquals(0L, reset.getLong("seq"), "the new run starts empty: " + reset);
          assertNotEquals(oldEpochs.get(user(i)), reset.getString("epoch"));
          newEpochs.put(user(i), reset.getString("epoch"));
        }
      }
      for (int i = 0; i < USERS; i++) {
        clients.get(i).assertNoFrame(isReset(), i == 0 ? Duration.ofSeconds(1) : Duration.ZERO);
      }

      for (int i = 0; i < USERS; i++) {
        sendUntilOk(sender, user(i), "after");
      }
      for (int i = 0; i < USERS; i++) {
        long seq = clients.get(i).next(isMessage("after"), WAIT).getLong("seq");
        assertEquals(lost.contains(user(i)) ? 1L : 2L, seq, user(i) + " goes on in its run");
        clients.get(i).assertNoFrame(isReset(), Duration.ZERO);
      }
      for (String user : lost) {
        assertEquals(newEpochs.get(user), epochOnReconnect(port, user, 0, newEpochs.get(user)),
            "the reset named the run that goes on");
      }
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  /** The room's presence once it is {@code expected}, or as it stands after 15 s (the node repairs what died). */
  private static List<?> presenceWithin(TestClient client, String room, List<?> expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      JsonObject reply = client.request(new JsonObject().put("type", "presence").put("room", room));
      List<?> users = reply.containsKey("users") ? reply.getJsonArray("users").getList() : List.of(reply);
      if (users.equals(expected) || System.nanoTime() > deadline) {
        return users;
      }
      pause(100);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private int startThreeAndKeepOne() {
    // quorum off: this is about losing data, not a split (a lone survivor of three would refuse writes;
    // SplitBrainTest covers that)
    cluster = new ProcessCluster("lost", 3, 3000,
        config -> config.getJsonObject("cluster").put("minimumMembers", 1)).start();
    return cluster.httpPorts().get(0);
  }

  private void killTwo() {
    cluster.node(1).kill9();
    cluster.node(2).kill9();
    cluster.node(0).awaitPartitionsSettled(1, WAIT);
  }

  private static Predicate<JsonObject> isReset() {
    return frame -> "reset".equals(frame.getString("type"));
  }

  private static Predicate<JsonObject> isMessage(String tag) {
    return frame -> "message".equals(frame.getString("type"))
        && tag.equals(frame.getJsonObject("body").getString("tag"));
  }

  private static String user(int i) {
    return "lost-user-" + i;
  }

  private static void sendUntilOk(TestClient sender, String to, String tag) {
    untilOk(sender, new JsonObject().put("type", "send").put("to", to)
        .put("body", new JsonObject().put("tag", tag)).put("id", to + "/" + tag), WAIT);
  }

  private JsonObject authenticate(TestClient client, String user) {
    return authenticated(client, new JsonObject().put("type", "auth")
        .put("token", TestNodes.token(vertx, user, List.of("*"), List.of())));
  }

  /**
   * The user's stream epoch, as an auth with {@code since} and {@code epoch} on a new connection tells it. Right
   * after the crash the node may still answer unavailable (and close): then it is tried again.
   */
  private String epochOnReconnect(int port, String user, long since, String epoch) {
    JsonObject auth = new JsonObject().put("type", "auth").put("since", since).put("epoch", epoch)
        .put("token", TestNodes.token(vertx, user, List.of("*"), List.of()));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try (TestClient client = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, port)) {
        JsonObject reply = client.request(auth);
        if ("ok".equals(reply.getString("type"))) {
          return reply.getString("epoch");
        }
        if (System.nanoTime() > deadline || !"unavailable".equals(reply.getString("code"))) {
          throw new AssertionError("auth of " + user + " failed: " + reply);
        }
      }
    }
  }

  private static String room(int i) {
    return "lost-" + i;
  }

  private static JsonObject publishUntilOk(TestClient publisher, String room, String tag) {
    return untilOk(publisher, new JsonObject().put("type", "publish").put("room", room)
        .put("body", new JsonObject().put("tag", tag)).put("id", room + "/" + tag), WAIT);
  }

  private TestClient authenticated(int port, String user, List<String> rooms, List<String> publish) {
    TestClient client = TestClient.connect(vertx, TestClient.Transport.WEBSOCKET, port);
    authenticated(client, new JsonObject().put("type", "auth").put("token", TestNodes.token(vertx, user, rooms, publish)));
    return client;
  }

  private static JsonObject authenticated(TestClient client, JsonObject auth) {
    JsonObject ok = client.request(auth);
    assertEquals("ok", ok.getString("type"), () -> "auth: " + ok);
    return ok;
  }
}
