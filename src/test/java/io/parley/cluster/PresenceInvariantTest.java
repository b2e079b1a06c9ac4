package io.parley.cluster;

import io.parley.ParleyNode;
import io.parley.testing.Poll;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 item 1: presence is exactly the set of users with a live session in the room, on every node, after any
 * order of join, leave, close and abrupt drop. Random scripts (seeded, so a failure replays) fire requests
 * without waiting for replies, over WebSocket clients and over raw sockets that vanish without a close frame,
 * on three nodes; then every node's presence must equal what the live sessions say.
 */
class PresenceInvariantTest {

  private static final int USERS = 6;
  private static final int ROOMS = 4;
  private static final int STEPS = 250;
  private static final Duration SETTLE = Duration.ofSeconds(15);
  private static Vertx vertx;
  private static List<ParleyNode> nodes;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    nodes = TestNodes.startCluster(3);
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNodes::stop);
    vertx.close();
  }

  /** One connection of the script, a client library's or a raw socket's, and the rooms it asked to be in. */
  private abstract static class Connection {
    final String user;
    final Set<String> rooms = new HashSet<>();

    Connection(String user) {
      this.user = user;
    }

    abstract void send(JsonObject request);

    abstract void end();

    /** Why the server ended it, or null while it is open. */
    abstract String closedByServer();
  }

  private static final class Client extends Connection {
    final TestClient client;

    Client(String user, int port) {
      super(user);
      this.client = TestClient.connect(vertx, TestClient.options(port).wsPath("/ws?token=" + TestNodes.token(vertx, user)));
    }

    @Override
    void send(JsonObject request) {
      client.send(request);
    }

    @Override
    void end() {
      client.close();
    }

    @Override
    String closedByServer() {
      return client.isClosed() ? "closed" : null;
    }
  }

  private static final class Vanishing extends Connection {
    final SilentWebSocket socket;

    Vanishing(String user, int port) {
      super(user);
      this.socket = SilentWebSocket.connect(vertx, port, "/ws?token=" + TestNodes.token(vertx, user));
      // RFC 6455: a client sends nothing more before the server's handshake response
      if (!socket.awaitReceived("\r\n\r\n", Duration.ofSeconds(5))) {
        throw new AssertionError("no handshake response: " + socket.received());
      }
    }

    @Override
    void send(JsonObject request) {
      socket.sendRawFrame(1, true, request.encode().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    void end() {
      socket.close(); // TCP gone, no close frame: a phone losing its network
    }

    @Override
    String closedByServer() {
      return socket.isClosedByServer() ? "closed " + socket.closeCode() + " " + socket.received() : null;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  @DisplayName("after a random script of joins, leaves, closes and drops, presence equals the live sessions")
  void presenceEqualsLiveSessions(long seed) {
    Random random = new Random(seed);
    String prefix = "inv" + seed + "-";
    List<Connection> open = new ArrayList<>();
    try {
      for (int step = 0; step < STEPS; step++) {
        int action = random.nextInt(10);
        if (open.isEmpty() || action == 0) {
          String user = prefix + "u" + random.nextInt(USERS);
          int port = nodes.get(random.nextInt(nodes.size())).port();
          open.add(random.nextBoolean() ? new Client(user, port) : new Vanishing(user, port));
        } else {
          Connection connection = open.get(random.nextInt(open.size()));
          String room = prefix + "r" + random.nextInt(ROOMS);
          if (action <= 4) {
            connection.send(new JsonObject().put("type", "join").put("room", room));
            connection.rooms.add(room);
          } else if (action <= 7) {
            connection.send(new JsonObject().put("type", "leave").put("room", room));
            connection.rooms.remove(room);
          } else {
            connection.end();
            open.remove(connection);
          }
        }
      }
      List<String> ended = open.stream().filter(c -> c.closedByServer() != null)
          .map(c -> c.user + ": " + c.closedByServer()).toList();
      assertTrue(ended.isEmpty(), () -> "the server ended connections the script did not: " + ended);
      Map<String, Set<String>> expected = expected(open, prefix);
      boolean settled = Poll.until(() -> nodes.stream().allMatch(node -> presenceOn(node, prefix).equals(expected)),
          SETTLE);
      assertTrue(settled, () -> "presence differs from the live sessions' rooms: expected " + expected + ", nodes: "
          + nodes.stream().map(node -> presenceOn(node, prefix).toString()).toList());
    } finally {
      open.forEach(Connection::end);
    }
  }

  private static Map<String, Set<String>> expected(List<Connection> open, String prefix) {
    Map<String, Set<String>> expected = new TreeMap<>();
    for (int r = 0; r < ROOMS; r++) {
      expected.put(prefix + "r" + r, new TreeSet<>());
    }
    for (Connection connection : open) {
      connection.rooms.forEach(room -> expected.get(room).add(connection.user));
    }
    return expected;
  }

  private static Map<String, Set<String>> presenceOn(ParleyNode node, String prefix) {
    Map<String, Set<String>> seen = new TreeMap<>();
    Presence presence = new Presence(node.hazelcast(), new RoomBus(node.vertx().eventBus(), any -> true),
        node.vertx(), node.nodeId());
    for (int r = 0; r < ROOMS; r++) {
      seen.put(prefix + "r" + r, new TreeSet<>(TestNodes.await(presence.users(prefix + "r" + r), Duration.ofSeconds(5))));
    }
    return seen;
  }
}
