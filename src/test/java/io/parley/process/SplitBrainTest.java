package io.parley.process;

import io.parley.auth.TokenMinter;
import io.parley.testing.Poll;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 17 §4, "Split-brain": three node processes, each on its own loopback address (127.0.0.1, .2, .3), and a
 * real network split made with iptables between node 3 and the others. During the split the minority answers
 * {@code publish} and {@code send} with {@code unavailable}, says so on {@code /ready} (503) and in
 * {@code parley_cluster_quorum} (0), while the majority keeps serving. After the heal, presence on every node is
 * again exactly the sessions really connected, private messages reach the former minority's users, and history
 * holds every acknowledged publish at its seq, no seq acknowledged twice.
 */
@DisplayName("network split of one node out of three (iptables on loopback), then the heal")
class SplitBrainTest {

  private static final String[] ADDRESSES = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};
  private static final int MINORITY = 2;
  private static final long FAILURE_DETECTION_MS = 4000;
  private static final String ROOM = "split-room";
  private static final String SIDE_ROOM = "side-room";
  private static final long PUBLISH_INTERVAL_MS = 50;
  private static final int HISTORY_SIZE = 10_000;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration DETECT_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration REPLY = Duration.ofSeconds(20);
  private static final Duration PUSH = Duration.ofSeconds(5);

  private Vertx vertx;
  private LoopbackPartition partition;
  private String adminToken;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<NodeHttp> http = new ArrayList<>();
  private final List<Integer> clusterPorts = new ArrayList<>();
  private final List<Integer> eventBusPorts = new ArrayList<>();
  private final List<Member> members = new ArrayList<>();
  private final List<SplitPublisher> publishers = new ArrayList<>();
  private final Map<String, Long> figures = new LinkedHashMap<>();

  /** A test client and what it is joined to: the truth presence is checked against. */
  private record Member(String user, int node, TestClient client, Set<String> rooms) {
  }

  @BeforeEach
  void setUp() {
    Assumptions.assumeTrue(LoopbackPartition.available(), "needs root and iptables");
    vertx = Vertx.vertx();
    adminToken = new TokenMinter(vertx, TestNodes.SECRET).mint("ops", true, 3600, null, null);
  }

  @AfterEach
  void tearDown() {
    publishers.forEach(SplitPublisher::stop);
    members.forEach(m -> m.client().close());
    List<String> left = List.of();
    if (partition != null) {
      partition.heal();
      left = partition.remainingRules();
    }
    nodes.forEach(NodeProcess::close);
    if (vertx != null) {
      TestNodes.await(vertx.close(), Duration.ofSeconds(10));
    }
    assertTrue(left.isEmpty(), "iptables rules left behind: " + left);
  }

  @Test
  @DisplayName("minority refuses and says so; majority serves; after the heal presence, routes and history are whole")
  void splitAndHeal() {
    startCluster();
    NodeHttp minority = http.get(MINORITY);
    NodeHttp majority = http.get(0);
    PresenceChecker presence = new PresenceChecker(http);

    Member alice = open("alice", 0, ROOM);
    Member bob = open("bob", 1, ROOM, SIDE_ROOM);
    Member erin = open("erin", 1, ROOM);
    Member carol = open("carol", MINORITY, ROOM, SIDE_ROOM);
    Member carolPhone = open("carol", MINORITY, ROOM);
    Member dave = open("dave", MINORITY, ROOM);
    awaitPresence(presence, Duration.ofSeconds(15), "before the split");
    publishers.add(publisher("pub-a", 0));
    publishers.add(publisher("pub-c", MINORITY));
    publishers.forEach(SplitPublisher::start);
    assertTrue(Poll.until(() -> publishers.stream().allMatch(p -> p.acknowledgedAfter(0) >= 10), REPLY),
        "publishers acknowledged before the split");
    System.out.println("Hazelcast connections of the minority (source address):\n" + sockets(clusterPorts));

    // ---- the split
    int linesBefore = nodes.get(0).lineCount();
    long cutAt = System.nanoTime();
    partition.cut();
    assertTrue(Poll.until(() -> minority.get("/ready").status() == 503, DETECT_TIMEOUT), "minority /ready stayed 200");
    figures.put("minority /ready 503 after ms", millisSince(cutAt));
    NodeHttp.Reply notReady = minority.get("/ready");
    assertEquals("minority", notReady.json().getString("status"), notReady.body());
    assertTrue(notReady.json().getString("reason", "").contains("minority"), notReady.body());
    assertEquals(0.0, minority.metric("parley_cluster_quorum"), "minority's parley_cluster_quorum");
    assertTrue(Poll.until(() -> firstUnavailableAfter(publishers.get(1), cutAt) > 0, DETECT_TIMEOUT),
        "the minority's publisher never got unavailable");
    figures.put("minority publish unavailable after ms", (firstUnavailableAfter(publishers.get(1), cutAt) - cutAt)
        / 1_000_000);
    JsonObject refusedSend = request(carol, send("alice", "from the minority"));
    assertEquals("unavailable", refusedSend.getString("code"), "send on the minority: " + refusedSend);

    nodes.get(0).awaitLine(linesBefore, line -> line.contains("Members {size:2,"), DETECT_TIMEOUT,
        "the majority removing the minority");
    figures.put("majority removed the minority after ms", millisSince(cutAt));
    assertEquals(200, majority.get("/ready").status(), "majority /ready");
    assertEquals(1.0, majority.metric("parley_cluster_quorum"), "majority's parley_cluster_quorum");
    long detectedAt = System.nanoTime();
    assertTrue(Poll.until(() -> publishers.get(0).acknowledgedAfter(detectedAt) >= 10, REPLY),
        "the majority stopped acknowledging publishes");
    JsonObject sentInMajority = request(alice.client(), send("bob", "within the majority"));
    assertEquals("ok", sentInMajority.getString("type"), sentInMajority.encode());
    bob.client().next(f -> "within the majority".equals(f.getValue("body")), PUSH);

    // sessions change on both sides while split: nobody may be left invisible or as a ghost afterwards
    dave.client().close();
    members.remove(dave);
    JsonObject left = request(erin.client(), new JsonObject().put("type", "leave").put("room", ROOM));
    assertEquals("ok", left.getString("type"), left.encode());
    erin.rooms().remove(ROOM);
    Member frank = open("frank", 0, ROOM);
    JsonObject queued = request(alice.client(), send("carol", "while you were cut off"));
    assertEquals("ok", queued.getString("type"), queued.encode());

    // ---- the heal
    long healedAt = System.nanoTime();
    partition.heal();
    assertEquals(List.of(), partition.remainingRules(), "iptables rules after the heal");
    assertTrue(Poll.until(() -> minority.get("/ready").status() == 200, HEAL_TIMEOUT),
        "former minority /ready still " + minority.get("/ready").body());
    figures.put("former minority /ready 200 after ms", millisSince(healedAt));
    assertEquals(1.0, minority.metric("parley_cluster_quorum"), "former minority's parley_cluster_quorum");
    long presenceDeadline = healedAt + HEAL_TIMEOUT.toNanos();
    awaitPresence(presence, Duration.ofNanos(Math.max(0, presenceDeadline - System.nanoTime())), "after the heal");
    figures.put("presence equal to the sessions after ms", millisSince(healedAt));

    JsonObject toCarol = request(alice.client(), send("carol", "after the heal"));
    assertEquals("ok", toCarol.getString("type"), toCarol.encode());
    carol.client().next(f -> "after the heal".equals(f.getValue("body")), PUSH);
    carolPhone.client().next(f -> "after the heal".equals(f.getValue("body")), PUSH);
    JsonObject fromCarol = request(carol.client(), send("frank", "from the former minority"));
    assertEquals("ok", fromCarol.getString("type"), fromCarol.encode());
    frank.client().next(f -> "from the former minority".equals(f.getValue("body")), PUSH);
    figures.put("private messages both ways after ms", millisSince(healedAt));
    boolean queuedArrived = carol.client().pending().stream()
        .anyMatch(f -> "while you were cut off".equals(f.getValue("body")));

    publishers.forEach(SplitPublisher::stop);
    checkHistory(majority, minority);
    report(queuedArrived);
  }

  // ---- cluster

  private void startCluster() {
    String cluster = "split-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    Path dir = Path.of("target", "process-logs", cluster);
    List<Integer> httpPorts = new ArrayList<>();
    JsonArray memberList = new JsonArray();
    for (String address : ADDRESSES) {
      clusterPorts.add(TestNodes.freePort());
      eventBusPorts.add(TestNodes.freePort());
      httpPorts.add(TestNodes.freePort());
      memberList.add(address + ":" + clusterPorts.get(clusterPorts.size() - 1));
    }
    int groupId = LoopbackPartition.freshGroupId();
    partition = new LoopbackPartition(groupId, ADDRESSES[MINORITY],
        List.of(clusterPorts.get(MINORITY), eventBusPorts.get(MINORITY)),
        List.of(clusterPorts.get(0), eventBusPorts.get(0), clusterPorts.get(1), eventBusPorts.get(1)));
    for (int i = 0; i < ADDRESSES.length; i++) {
      JsonObject config = new JsonObject()
          .put("node", new JsonObject().put("gateways", 1))
          .put("http", new JsonObject().put("host", ADDRESSES[i]).put("port", httpPorts.get(i)))
          .put("auth", new JsonObject().put("jwt", new JsonObject().put("secret", TestNodes.SECRET)))
          .put("cluster", new JsonObject().put("name", cluster).put("host", ADDRESSES[i])
              .put("port", clusterPorts.get(i)).put("eventBusPort", eventBusPorts.get(i))
              .put("members", memberList.copy()).put("failureDetectionMs", FAILURE_DETECTION_MS))
          .put("history", new JsonObject().put("size", HISTORY_SIZE))
          .put("limits", new JsonObject().put("connectionsPerIpPerSecond", 0));
      List<String> launcher = i == MINORITY ? LoopbackPartition.launcher(groupId) : List.of();
      NodeProcess node = NodeProcess.start("node-" + (i + 1), config, dir, launcher);
      nodes.add(node);
      http.add(new NodeHttp(ADDRESSES[i], httpPorts.get(i), adminToken));
      // one at a time: the first becomes the master, and three JVMs starting at once on two cores made a
      // start-up write miss its backup ack (IndeterminateOperationStateException in Vert.x's subscriptions)
      node.awaitReady(START_TIMEOUT);
    }
    nodes.get(0).awaitPartitionsSettled(ADDRESSES.length, START_TIMEOUT);
    assertTrue(Poll.until(() -> http.stream().allMatch(h -> h.get("/ready").status() == 200), START_TIMEOUT),
        "every node ready with its quorum");
    System.out.println("cluster " + cluster + ": " + nodes + ", logs in " + dir.toAbsolutePath());
  }

  // ---- clients

  private Member open(String user, int node, String... rooms) {
    TestClient client = TestClient.connect(vertx, TestClient.options(port(node))
        .host(ADDRESSES[node]));
    Member member = new Member(user, node, client, new TreeSet<>());
    members.add(member);
    JsonObject auth = request(client, new JsonObject().put("type", "auth").put("token", TestNodes.token(vertx, user)));
    assertEquals("ok", auth.getString("type"), user + " auth: " + auth);
    for (String room : rooms) {
      JsonObject joined = request(client, new JsonObject().put("type", "join").put("room", room));
      assertEquals("ok", joined.getString("type"), user + " join " + room + ": " + joined);
      member.rooms().add(room);
    }
    return member;
  }

  private SplitPublisher publisher(String user, int node) {
    TestClient client = TestClient.connect(vertx, TestClient.options(port(node)).host(ADDRESSES[node]));
    members.add(new Member(user, node, client, new TreeSet<>()));
    String token = TestNodes.token(vertx, user, null, List.of(ROOM));
    JsonObject auth = request(client, new JsonObject().put("type", "auth").put("token", token));
    assertEquals("ok", auth.getString("type"), user + " auth: " + auth);
    return new SplitPublisher(client, user, ROOM, PUBLISH_INTERVAL_MS);
  }

  private int port(int node) {
    String base = http.get(node).toString();
    return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
  }

  private static JsonObject request(Member member, JsonObject frame) {
    return request(member.client(), frame);
  }

  /** A request and its reply, waiting longer than TestClient's 5 s: a cut-off node may take a while to refuse. */
  private static JsonObject request(TestClient client, JsonObject frame) {
    String id = "sb-" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    client.send(frame.copy().put("id", id));
    return client.next(f -> id.equals(f.getValue("id")), REPLY);
  }

  private static JsonObject send(String to, String body) {
    return new JsonObject().put("type", "send").put("to", to).put("body", body);
  }

  /** Room → users with a live session joined to it, over all nodes. */
  private Map<String, Set<String>> truth() {
    Map<String, Set<String>> truth = new TreeMap<>();
    truth.put(ROOM, new TreeSet<>());
    truth.put(SIDE_ROOM, new TreeSet<>());
    for (Member member : members) {
      member.rooms().forEach(room -> truth.get(room).add(member.user()));
    }
    return truth;
  }

  private void awaitPresence(PresenceChecker checker, Duration timeout, String when) {
    List<List<String>> last = new ArrayList<>(List.of(List.of()));
    boolean agreed = Poll.until(() -> {
      last.set(0, checker.differences(truth()));
      return last.get(0).isEmpty();
    }, timeout);
    if (!agreed) {
      fail("presence " + when + " not equal to the sessions within " + timeout.toMillis() + " ms: " + last.get(0));
    }
  }

  // ---- checks

  private static long firstUnavailableAfter(SplitPublisher publisher, long nanos) {
    return publisher.attempts().stream().filter(a -> a.sentNanos() > nanos && "unavailable".equals(a.code()))
        .mapToLong(SplitPublisher.Attempt::doneNanos).min().orElse(0);
  }

  /**
   * History on both sides holds every acknowledged publish at the seq its ok carried, no seq was acknowledged
   * for two publishes, and no publish is stored under two seqs.
   */
  private void checkHistory(NodeHttp majority, NodeHttp minority) {
    JsonObject history = majority.get("/api/rooms/" + ROOM + "/history?since=0&limit=" + HISTORY_SIZE).json();
    JsonObject minorityHistory = minority.get("/api/rooms/" + ROOM + "/history?since=0&limit=" + HISTORY_SIZE).json();
    assertEquals(history.getLong("seq"), minorityHistory.getLong("seq"), "latest seq on both former sides");
    Map<Long, String> stored = new HashMap<>();
    Map<String, List<Long>> seqsByPublish = new HashMap<>();
    for (Object entry : history.getJsonArray("messages")) {
      JsonObject message = (JsonObject) entry;
      JsonObject body = message.getJsonObject("body");
      String publish = body.getString("p") + "/" + body.getLong("k");
      stored.put(message.getLong("seq"), publish);
      seqsByPublish.computeIfAbsent(publish, p -> new ArrayList<>()).add(message.getLong("seq"));
    }
    List<String> problems = new ArrayList<>();
    Map<Long, String> acknowledged = new TreeMap<>();
    for (SplitPublisher publisher : publishers) {
      for (SplitPublisher.Attempt attempt : publisher.attempts()) {
        if (!attempt.acknowledged()) {
          continue;
        }
        long seq = attempt.reply().getLong("seq");
        String other = acknowledged.put(seq, attempt.id());
        if (other != null) {
          problems.add("seq " + seq + " acknowledged to " + other + " and to " + attempt.id());
        }
        if (!attempt.id().equals(stored.get(seq))) {
          problems.add(attempt.id() + " acknowledged with seq " + seq + ", history has " + stored.get(seq));
        }
      }
    }
    seqsByPublish.forEach((publish, seqs) -> {
      if (seqs.size() > 1) {
        problems.add(publish + " stored under seqs " + seqs);
      }
    });
    figures.put("acknowledged publishes", (long) acknowledged.size());
    figures.put("stored messages", (long) stored.size());
    assertTrue(problems.isEmpty(), problems.size() + " history problem(s): " + problems.stream().limit(10).toList());
  }

  private void report(boolean queuedArrived) {
    StringBuilder out = new StringBuilder("\n=== split-brain test: node-3 cut off, cluster.failureDetectionMs="
        + FAILURE_DETECTION_MS + " ===\n");
    figures.forEach((what, value) -> out.append(String.format("%-45s %d%n", what, value)));
    for (SplitPublisher publisher : publishers) {
      Map<String, Long> outcomes = publisher.attempts().stream()
          .collect(Collectors.groupingBy(SplitPublisher.Attempt::code, TreeMap::new, Collectors.counting()));
      out.append(publisher.user()).append(" outcomes: ").append(outcomes).append('\n');
    }
    out.append("private message queued for carol during the split delivered live after the heal: ")
        .append(queuedArrived).append(" (kept for her next auth otherwise)\n");
    for (NodeProcess node : nodes) {
      node.lines().stream().filter(l -> l.contains("event=merge_repair") || l.contains("event=quorum_"))
          .forEach(l -> out.append("  [").append(node.name()).append("] ").append(l).append('\n'));
    }
    System.out.print(out);
  }

  /** The established TCP connections to the cluster ports, with their source addresses (ss). */
  private static String sockets(List<Integer> ports) {
    String filter = ports.stream().map(p -> "dport = :" + p).collect(Collectors.joining(" or "));
    try {
      Process ss = new ProcessBuilder("ss", "-Htn", "state", "established", "( " + filter + " )")
          .redirectErrorStream(true).start();
      String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ss.waitFor(5, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "ss failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
