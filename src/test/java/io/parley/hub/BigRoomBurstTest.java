package io.parley.hub;

import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.expectOk;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A burst to a room of several hundred members on one gateway: every member gets every message once and in seq
 * order, also when members leave while the burst is being handed out, and a small room on the same loop keeps
 * being served.
 */
class BigRoomBurstTest {

  private static final int MEMBERS = 300;
  private static final int MESSAGES = 40;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  static final SingleNode NODE = new SingleNode(config -> config.getJsonObject("node").put("gateways", 1));

  @Test
  @DisplayName("a burst to a room of 300 while two members leave: each other member gets every message once, in order")
  void burstToABigRoom() {
    String room = "big-burst";
    List<TestClient> members = new ArrayList<>();
    try (TestClient publisher = authenticated(NODE.vertx(), NODE.node(), "big-publisher");
         TestClient small = authenticated(NODE.vertx(), NODE.node(), "small-member")) {
      for (int i = 0; i < MEMBERS; i++) {
        TestClient member = authenticated(NODE.vertx(), NODE.node(), "big-member-" + i);
        members.add(member);
        join(member, room);
      }
      join(publisher, room);
      join(small, "small-room");
      join(publisher, "small-room");
      List<String> ids = new ArrayList<>();
      for (int i = 1; i <= MESSAGES; i++) {
        String id = "burst-" + i;
        ids.add(id);
        publisher.send(new JsonObject().put("type", "publish").put("id", id).put("room", room).put("body", i));
        if (i == MESSAGES / 2) {
          // two members leave mid-burst (one with a leave, one by closing): nobody else loses anything
          expectOk(members.get(0).request(new JsonObject().put("type", "leave").put("room", room)));
          members.remove(0).close();
          members.remove(members.size() - 1).close();
          publisher.send(new JsonObject().put("type", "publish").put("id", "small").put("room", "small-room")
              .put("body", "still served"));
        }
      }
      ids.forEach(id -> expectOk(publisher.next(f -> id.equals(f.getValue("id")), WAIT)));
      expectOk(publisher.next(f -> "small".equals(f.getValue("id")), WAIT));
      assertEquals("still served", small.next(f -> isMessage(f, "small-room"), WAIT).getString("body"));

      for (TestClient member : members) {
        for (long seq = 1; seq <= MESSAGES; seq++) {
          assertEquals(seq, member.next(f -> isMessage(f, room), WAIT).getLong("seq"));
        }
        member.assertNoFrame(f -> isMessage(f, room), Duration.ZERO);
      }
      members.get(0).assertNoFrame(f -> isMessage(f, room), Duration.ofMillis(300));
    } finally {
      members.forEach(TestClient::close);
    }
  }
}
