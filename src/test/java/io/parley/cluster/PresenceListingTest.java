package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PROTOCOL.md 1.1: a presence reply carries {@code count} and lists at most {@code presence.maxListed} users; a
 * room above {@code presence.maxPushMembers} sends its count, at most once per presence interval, not each join.
 */
class PresenceListingTest {

  private static Vertx vertx;
  private static ParleyNode node;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(config -> {
      config.getJsonObject("presence").put("maxListed", 3).put("maxPushMembers", 3);
      config.getJsonObject("fanout").put("presenceIntervalMs", 500);
    });
  }

  @AfterAll
  static void stop() {
    TestNodes.stop(node);
    vertx.close();
  }

  @Test
  @DisplayName("above presence.maxPushMembers members get the count, coalesced, instead of each join")
  void countPushes() {
    List<TestClient> clients = new ArrayList<>();
    try {
      TestClient watcher = authenticated(vertx, node, "watcher");
      clients.add(watcher);
      join(watcher, "big");
      for (int i = 1; i <= 8; i++) {
        TestClient client = authenticated(vertx, node, "member-" + i);
        clients.add(client);
        join(client, "big");
      }
      List<JsonObject> pushes = new ArrayList<>();
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < deadline && (pushes.isEmpty() || !Integer.valueOf(9).equals(
          pushes.get(pushes.size() - 1).getInteger("count")))) {
        pushes.add(watcher.next(f -> "presence".equals(f.getString("type")), java.time.Duration.ofSeconds(5)));
      }
      List<String> joins = pushes.stream().filter(p -> p.containsKey("user")).map(p -> p.getString("user"))
          .filter(user -> !user.equals("watcher")).toList(); // its own join may come too
      long counts = pushes.stream().filter(p -> p.containsKey("count")).count();
      assertEquals(List.of("member-1", "member-2"), joins, "joins pushed while the room had at most 3 users");
      assertEquals(9, pushes.get(pushes.size() - 1).getInteger("count"), "the latest count arrives: " + pushes);
      assertEquals(true, counts < 7, "7 joins above the limit, coalesced into fewer count pushes: " + pushes);
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  @DisplayName("five users, two sessions of one: count 5, the first 3 by id, truncated")
  void listedAndCounted() {
    List<TestClient> clients = new ArrayList<>();
    try {
      for (String user : new String[]{"eve", "dan", "cat", "bob", "ann", "ann"}) {
        TestClient client = authenticated(vertx, node, user);
        clients.add(client);
        join(client, "crowd");
      }
      JsonObject presence = expectOk(clients.get(0).request(new JsonObject().put("type", "presence").put("room", "crowd")));
      assertEquals(new JsonArray().add("ann").add("bob").add("cat"), presence.getJsonArray("users"));
      assertEquals(5, presence.getInteger("count"));
      assertEquals(true, presence.getBoolean("truncated"));
      clients.remove(5).close();
      clients.remove(4).close();
      io.parley.testing.Poll.until(() -> expectOk(clients.get(0).request(new JsonObject().put("type", "presence")
          .put("room", "crowd"))).getInteger("count") == 4, java.time.Duration.ofSeconds(5));
      JsonObject after = expectOk(clients.get(0).request(new JsonObject().put("type", "presence").put("room", "crowd")));
      assertEquals(4, after.getInteger("count"));
      assertEquals(new JsonArray().add("bob").add("cat").add("dan"), after.getJsonArray("users"));
    } finally {
      clients.forEach(TestClient::close);
    }
  }
}
