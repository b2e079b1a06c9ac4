package io.parley.process;

import io.parley.testing.Http;
import io.parley.testing.Poll;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 4, "Node failure": three parley nodes as real processes on loopback, steady publishing from every node,
 * then {@code kill -9} of one node. Its clients reconnect to the survivors and join with {@code since}; every
 * acknowledged message must reach every member exactly once and in seq order, presence must drop the dead node's
 * users that did not come back, and the survivors must keep serving throughout.
 */
@DisplayName("one of three node processes stopped (kill -9, or SIGTERM) under steady publishing")
class CrashRecoveryTest {

  private static final int NODES = 3;
  /** Node 2 of 3: node 1, started first, is the Hazelcast master. */
  private static final int VICTIM = 1;
  private static final long FAILURE_DETECTION_MS = 5000;
  private static final long PRESENCE_MARGIN_MS = 5000;
  private static final String ROOM = "crash-room";
  private static final long PUBLISH_INTERVAL_MS = 20; // 50 messages/s per publisher
  private static final int PUBLISHERS_PER_NODE = 2;
  private static final int SUBSCRIBERS_PER_NODE = 2;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STEADY_BEFORE_CRASH = Duration.ofSeconds(3);
  private static final Duration PUBLISH_AFTER_RECONNECT = Duration.ofSeconds(2);
  private static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final int SHOWN = 10;
  private static final int HISTORY_SIZE = 10_000;

  private Vertx vertx;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final List<RoomClient> clients = new ArrayList<>();
  private final List<Publisher> publishers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    publishers.forEach(Publisher::stop);
    clients.forEach(RoomClient::close);
    nodes.forEach(NodeProcess::close);
    TestNodes.await(vertx.close(), Duration.ofSeconds(10));
  }

  /** How the victim goes: crashing, or draining on SIGTERM (a rolling restart). */
  enum Stop {
    KILL_9("kill -9"), SIGTERM("SIGTERM");

    final String label;

    Stop(String label) {
      this.label = label;
    }

    void apply(NodeProcess node) {
      if (this == KILL_9) {
        node.kill9();
      } else {
        node.terminate();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Stop.class)
  @DisplayName("every acknowledged message survives, in order, once; presence drops the gone; survivors serve")
  void acknowledgedMessagesSurvive(Stop stop) {
    long begin = System.nanoTime();
    startCluster();
    long clusterMs = millisSince(begin);

    for (int node = 0; node < NODES; node++) {
      for (int i = 1; i <= PUBLISHERS_PER_NODE; i++) {
        RoomClient publisher = open("pub-" + (node + 1) + "-" + i, node, true);
        publishers.add(new Publisher(publisher, ROOM, PUBLISH_INTERVAL_MS));
      }
      for (int i = 1; i <= SUBSCRIBERS_PER_NODE; i++) {
        open("sub-" + (node + 1) + "-" + i, node, true);
      }
      open(goneUser(node), node, false); // a device that will not come back if its node dies
    }
    Set<String> everyone = clients.stream().map(RoomClient::user).collect(Collectors.toCollection(TreeSet::new));
    for (int node = 0; node < NODES; node++) {
      awaitPresence(observer(node), everyone);
    }

    publishers.forEach(Publisher::start);
    Http.sleep(STEADY_BEFORE_CRASH.toMillis());

    NodeProcess victim = nodes.get(VICTIM);
    int victimPort = httpPorts.get(VICTIM);
    RoomClient witness = observer((VICTIM + 1) % NODES);
    List<RoomClient> movers = clients.stream().filter(c -> c.home() == VICTIM && !c.user().startsWith("gone-"))
        .toList();
    String goneUser = goneUser(VICTIM);
    LocalTime killedClock = LocalTime.now();
    long killedAt = System.nanoTime();
    stop.apply(victim);
    long killMs = millisSince(killedAt);

    long presenceGoneAt = 0;
    long reconnectDeadline = killedAt + RECONNECT_TIMEOUT.toNanos();
    while (System.nanoTime() < reconnectDeadline) {
      if (presenceGoneAt == 0) {
        RoomClient.Reply users = witness.request(presenceRequest(), REQUEST_TIMEOUT);
        if ("ok".equals(users.type()) && !users.frame().getJsonArray("users").contains(goneUser)) {
          presenceGoneAt = users.doneNanos();
        }
      }
      boolean allBack = movers.stream().allMatch(c -> !c.rejoins().isEmpty() || !c.failures().isEmpty());
      if (presenceGoneAt != 0 && allBack) {
        break;
      }
      Http.sleep(100);
    }
    Http.sleep(PUBLISH_AFTER_RECONNECT.toMillis());
    publishers.forEach(Publisher::stop);

    long finalSeq = latestSeq(witness);
    List<RoomClient> listening = clients.stream().filter(c -> !c.user().equals(goneUser)).toList();
    awaitStreamsAt(listening, finalSeq);

    List<String> problems = new ArrayList<>();
    Map<Long, Publisher.Attempt> acked = acknowledged(problems);
    report(stop, clusterMs, killMs, killedAt, killedClock, presenceGoneAt, finalSeq, victim, victimPort, movers, acked);

    checkStreams(listening, finalSeq, acked, problems);
    RoomClient gone = clients.stream().filter(c -> c.user().equals(goneUser)).findFirst().orElseThrow();
    checkStream(gone, gone.lastSeq(), acked, problems); // cut short by the crash, but whole up to there
    checkContentOnce(witness, acked, problems);
    checkConnections(movers, problems);
    checkPresence(goneUser, presenceGoneAt, killedAt, everyone, problems);
    checkSurvivorsServed(victimPort, problems);

    if (!problems.isEmpty()) {
      problems.add(storedCheck(witness, listening, finalSeq));
      fail(problems.size() + " problem(s) after " + stop.label + " of " + victim + ":\n  "
          + String.join("\n  ", problems));
    }
  }

  // ---- cluster and clients

  private void startCluster() {
    String cluster = "crash-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    Path dir = Path.of("target", "process-logs", cluster);
    List<Integer> clusterPorts = IntStream.range(0, NODES).mapToObj(i -> TestNodes.freePort()).toList();
    IntStream.range(0, NODES).forEach(i -> httpPorts.add(TestNodes.freePort()));
    JsonArray members = new JsonArray();
    clusterPorts.forEach(port -> members.add("127.0.0.1:" + port));
    List<JsonObject> configs = IntStream.range(0, NODES).mapToObj(i -> new JsonObject()
        .put("node", new JsonObject().put("gateways", 2))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", httpPorts.get(i)))
        .put("auth", new JsonObject().put("jwt", new JsonObject().put("secret", TestNodes.SECRET)))
        .put("cluster", new JsonObject().put("name", cluster).put("host", "127.0.0.1")
            .put("port", clusterPorts.get(i)).put("members", members.copy())
            .put("failureDetectionMs", FAILURE_DETECTION_MS))
        // room for every message of the run, so that a missed seq can be looked up afterwards
        .put("history", new JsonObject().put("size", HISTORY_SIZE)))
        .toList();
    // the first alone, so that it becomes the master; then the others together
    NodeProcess master = NodeProcess.start("node-1", configs.get(0), dir);
    nodes.add(master);
    master.awaitReady(START_TIMEOUT);
    for (int i = 1; i < NODES; i++) {
      nodes.add(NodeProcess.start("node-" + (i + 1), configs.get(i), dir));
    }
    nodes.forEach(node -> node.awaitReady(START_TIMEOUT));
    master.awaitPartitionsSettled(NODES, START_TIMEOUT);
    System.out.println("cluster " + cluster + ": " + nodes + ", logs in " + dir.toAbsolutePath());
  }

  private RoomClient open(String user, int node, boolean reconnects) {
    RoomClient client = RoomClient.open(vertx, user, ROOM, httpPorts, node, reconnects);
    clients.add(client);
    return client;
  }

  private static String goneUser(int node) {
    return "gone-" + (node + 1);
  }

  private RoomClient observer(int node) {
    String user = "sub-" + (node + 1) + "-1";
    return clients.stream().filter(c -> c.user().equals(user)).findFirst().orElseThrow();
  }

  private static JsonObject presenceRequest() {
    return new JsonObject().put("type", "presence").put("room", ROOM);
  }

  private static void awaitPresence(RoomClient asker, Set<String> expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = asker.request(presenceRequest(), REQUEST_TIMEOUT).frame();
      if ("ok".equals(last.getString("type")) && users(last).equals(expected)) {
        return;
      }
      Http.sleep(100);
    }
    fail("presence seen from " + asker + " never became " + expected + "; last reply " + last);
  }

  private static Set<String> users(JsonObject presenceOk) {
    return presenceOk.getJsonArray("users").stream().map(String::valueOf)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static long latestSeq(RoomClient asker) {
    JsonObject history = new JsonObject().put("type", "history").put("room", ROOM).put("limit", 1);
    RoomClient.Reply reply = asker.request(history, REQUEST_TIMEOUT);
    assertTrue("ok".equals(reply.type()), () -> "history on " + asker + ": " + reply.frame());
    return reply.frame().getLong("seq");
  }

  private static void awaitStreamsAt(List<RoomClient> listening, long finalSeq) {
    Poll.until(() -> listening.stream().allMatch(c -> c.lastSeq() >= finalSeq), SETTLE_TIMEOUT);
    Http.sleep(300); // anything arriving late would be a duplicate: give it a chance to show
  }

  // ---- checks

  /** Every acknowledged publish by seq; two acknowledgements with one seq would be a bug of its own. */
  private Map<Long, Publisher.Attempt> acknowledged(List<String> problems) {
    Map<Long, Publisher.Attempt> bySeq = new TreeMap<>();
    for (Publisher publisher : publishers) {
      for (Publisher.Attempt attempt : publisher.attempts()) {
        if (attempt.acknowledged()) {
          Publisher.Attempt other = bySeq.put(attempt.seq(), attempt);
          if (other != null) {
            problems.add("seq " + attempt.seq() + " acknowledged twice: to " + other.id() + " and " + attempt.id());
          }
        }
      }
    }
    return bySeq;
  }

  private static void checkStreams(List<RoomClient> listening, long finalSeq, Map<Long, Publisher.Attempt> acked,
                                   List<String> problems) {
    for (RoomClient client : listening) {
      checkStream(client, finalSeq, acked, problems);
    }
  }

  /**
   * The client's stream, over all its connections, is exactly joinSeq+1 .. {@code to}, strictly increasing by 1,
   * and every acknowledged seq in that range carries the acknowledged publish.
   */
  private static void checkStream(RoomClient client, long to, Map<Long, Publisher.Attempt> acked,
                                  List<String> problems) {
    List<RoomClient.Received> stream = client.messages();
    long from = client.joinSeq() + 1;
    Map<Long, Integer> counts = new HashMap<>();
    List<String> disorder = new ArrayList<>();
    long previous = client.joinSeq();
    for (RoomClient.Received message : stream) {
      counts.merge(message.seq(), 1, Integer::sum);
      if (message.seq() != previous + 1 && disorder.size() < SHOWN) {
        disorder.add(previous + "→" + message.seq() + " (via " + message.port() + ")");
      }
      previous = message.seq();
    }
    List<Long> missing = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      if (!counts.containsKey(seq)) {
        missing.add(seq);
      }
    }
    List<Long> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
        .sorted().toList();
    List<Long> beyond = counts.keySet().stream().filter(seq -> seq < from || seq > to).sorted().toList();
    if (!missing.isEmpty()) {
      problems.add(client.user() + ": " + missing.size() + " seq(s) missing in " + from + ".." + to + ": "
          + first(missing) + missingDetail(missing, acked));
    }
    if (!duplicated.isEmpty()) {
      problems.add(client.user() + ": " + duplicated.size() + " seq(s) received twice: " + first(duplicated));
    }
    if (!beyond.isEmpty()) {
      problems.add(client.user() + ": seq(s) outside " + from + ".." + to + ": " + first(beyond));
    }
    if (!disorder.isEmpty()) {
      problems.add(client.user() + ": not +1 steps: " + disorder);
    }
    Map<Long, JsonObject> bodies = new HashMap<>();
    stream.forEach(m -> bodies.putIfAbsent(m.seq(), m.body()));
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<Long, Publisher.Attempt> entry : acked.entrySet()) {
      long seq = entry.getKey();
      JsonObject body = bodies.get(seq);
      if (seq < from || seq > to || body == null) {
        continue; // reported as missing above, or not this client's range
      }
      Publisher.Attempt attempt = entry.getValue();
      String author = attempt.id().substring(0, attempt.id().indexOf('/'));
      if (!author.equals(body.getString("p")) || attempt.k() != body.getLong("k", -1L)) {
        wrong.add(seq + " acknowledged to " + attempt.id() + " but carries " + body.encode());
      }
    }
    if (!wrong.isEmpty()) {
      problems.add(client.user() + ": " + wrong.size() + " seq(s) with the wrong message: " + first(wrong));
    }
  }

  private static String missingDetail(List<Long> missing, Map<Long, Publisher.Attempt> acked) {
    List<String> ackedMissing = missing.stream().filter(acked::containsKey)
        .map(seq -> seq + "=" + acked.get(seq).id() + "@" + acked.get(seq).reply().port()).toList();
    return ackedMissing.isEmpty() ? " (none of them acknowledged)"
        : "; acknowledged among them: " + first(ackedMissing);
  }

  /** For the seqs some client missed: are they in history (a delivery bug) or not (a storage bug)? */
  private static String storedCheck(RoomClient asker, List<RoomClient> listening, long finalSeq) {
    Set<Long> missed = new TreeSet<>();
    for (RoomClient client : listening) {
      Set<Long> seen = client.messages().stream().map(RoomClient.Received::seq).collect(Collectors.toSet());
      for (long seq = client.joinSeq() + 1; seq <= finalSeq; seq++) {
        if (!seen.contains(seq)) {
          missed.add(seq);
        }
      }
    }
    List<String> found = new ArrayList<>();
    for (long seq : missed.stream().limit(SHOWN).toList()) {
      JsonObject history = new JsonObject().put("type", "history").put("room", ROOM).put("since", seq - 1)
          .put("limit", 1);
      JsonObject reply = asker.request(history, REQUEST_TIMEOUT).frame();
      JsonArray messages = reply.getJsonArray("messages", new JsonArray());
      found.add(seq + (messages.isEmpty() || messages.getJsonObject(0).getLong("seq") != seq ? " NOT in history"
          : " in history as " + messages.getJsonObject(0).getValue("body")));
    }
    return "missed seqs checked against history: " + (found.isEmpty() ? "none missed" : found);
  }

  /**
   * No publish stored under two seqs: a store retried inside the cluster after the partition owner died would
   * deliver one message twice (under two seqs, so the seq checks alone cannot see it).
   */
  private static void checkContentOnce(RoomClient client, Map<Long, Publisher.Attempt> acked, List<String> problems) {
    Map<String, Long> ackedSeq = new HashMap<>();
    acked.forEach((seq, attempt) -> ackedSeq.put(attempt.id(), seq));
    Map<String, List<Long>> seqsByPublish = new LinkedHashMap<>();
    for (RoomClient.Received message : client.messages()) {
      String publish = message.body().getString("p") + "/" + message.body().getLong("k");
      seqsByPublish.computeIfAbsent(publish, p -> new ArrayList<>()).add(message.seq());
    }
    List<String> twice = seqsByPublish.entrySet().stream().filter(e -> new HashSet<>(e.getValue()).size() > 1)
        .map(e -> e.getKey() + " at seqs " + e.getValue() + " (ok carried " + ackedSeq.getOrDefault(e.getKey(), -1L)
            + ")")
        .toList();
    if (!twice.isEmpty()) {
      problems.add(twice.size() + " publish(es) stored more than once (seen by " + client.user() + "): "
          + first(twice));
    }
  }

  /** The dead node's clients reconnected once each with a complete recovery; nobody else lost a connection. */
  private void checkConnections(List<RoomClient> movers, List<String> problems) {
    for (RoomClient client : clients) {
      if (!client.failures().isEmpty()) {
        problems.add(client.user() + ": " + client.failures());
      }
      if (!client.strays().isEmpty()) {
        problems.add(client.user() + ": unexpected frames " + first(client.strays()));
      }
      if (movers.contains(client)) {
        if (client.rejoins().size() != 1 || !client.rejoins().get(0).recovered()) {
          problems.add(client.user() + ": expected one complete recovery, got " + client.rejoins());
        }
      } else if (client.home() != VICTIM && !client.drops().isEmpty()) {
        problems.add(client.user() + " on a survivor lost its connection: " + client.drops());
      }
    }
  }

  /**
   * The dead node's user that did not come back is dropped from presence, in time, with a leave push to every
   * survivor's client; nobody on a survivor is reported gone; the users who reconnected are still present.
   */
  private void checkPresence(String goneUser, long presenceGoneAt, long killedAt, Set<String> everyone,
                             List<String> problems) {
    long limitMs = FAILURE_DETECTION_MS + PRESENCE_MARGIN_MS;
    if (presenceGoneAt == 0) {
      problems.add("presence still listed " + goneUser + " " + RECONNECT_TIMEOUT.toMillis() + " ms after the kill");
    } else if ((presenceGoneAt - killedAt) / 1_000_000 > limitMs) {
      problems.add("presence dropped " + goneUser + " only after " + (presenceGoneAt - killedAt) / 1_000_000
          + " ms (limit " + limitMs + " ms)");
    }
    Set<String> expected = new TreeSet<>(everyone);
    expected.remove(goneUser);
    Set<String> survivorsUsers = clients.stream().filter(c -> c.home() != VICTIM).map(RoomClient::user)
        .collect(Collectors.toSet());
    for (int node = 0; node < NODES; node++) {
      if (node == VICTIM) {
        continue;
      }
      RoomClient asker = observer(node);
      RoomClient.Reply reply = asker.request(presenceRequest(), REQUEST_TIMEOUT);
      if (!"ok".equals(reply.type()) || !users(reply.frame()).equals(expected)) {
        problems.add("presence on node-" + (node + 1) + " at the end: " + reply.frame() + ", expected " + expected);
      }
    }
    for (RoomClient client : clients) {
      if (client.home() == VICTIM) {
        continue;
      }
      List<RoomClient.PresencePush> pushes = client.presence();
      if (pushes.stream().noneMatch(p -> p.user().equals(goneUser) && "leave".equals(p.state()))) {
        problems.add(client.user() + " got no presence leave for " + goneUser);
      }
      List<String> wrongLeaves = pushes.stream()
          .filter(p -> "leave".equals(p.state()) && survivorsUsers.contains(p.user()))
          .map(RoomClient.PresencePush::user).toList();
      if (!wrongLeaves.isEmpty()) {
        problems.add(client.user() + " was told that survivors' users left: " + wrongLeaves);
      }
    }
  }

  /** Publishes over a survivor's connection all got their ok, or at worst {@code unavailable} (a migration). */
  private void checkSurvivorsServed(int victimPort, List<String> problems) {
    Map<String, List<String>> failedByCode = new TreeMap<>();
    for (Publisher publisher : publishers) {
      for (Publisher.Attempt attempt : publisher.attempts()) {
        if (attempt.reply().port() != victimPort && !attempt.acknowledged()) {
          failedByCode.computeIfAbsent(attempt.failure(), c -> new ArrayList<>())
              .add(attempt.id() + "@" + attempt.reply().port() + " " + attempt.reply().frame().getString("message"));
        }
      }
    }
    failedByCode.forEach((code, failed) -> {
      if (!code.equals("unavailable")) {
        problems.add(failed.size() + " publish(es) on survivors failed with " + code + ": " + first(failed));
      }
    });
  }

  // ---- figures

  private void report(Stop stop, long clusterMs, long killMs, long killedAt, LocalTime killedClock, long presenceGoneAt,
                      long finalSeq, NodeProcess victim, int victimPort, List<RoomClient> movers,
                      Map<Long, Publisher.Attempt> acked) {
    List<Publisher.Attempt> all = publishers.stream().flatMap(p -> p.attempts().stream()).toList();
    long joinSeq = clients.stream().mapToLong(RoomClient::joinSeq).max().orElse(0);
    Set<Long> storedSeqs = observer((VICTIM + 1) % NODES).messages().stream().map(RoomClient.Received::seq)
        .collect(Collectors.toSet());
    Map<String, Long> unackedOnVictim = all.stream()
        .filter(a -> a.reply().port() == victimPort && !a.acknowledged())
        .collect(Collectors.groupingBy(Publisher.Attempt::failure, TreeMap::new, Collectors.counting()));
    Map<String, Long> failedOnSurvivors = all.stream()
        .filter(a -> a.reply().port() != victimPort && !a.acknowledged())
        .collect(Collectors.groupingBy(Publisher.Attempt::failure, TreeMap::new, Collectors.counting()));
    Set<String> stored = new HashSet<>();
    observer((VICTIM + 1) % NODES).messages()
        .forEach(m -> stored.add(m.body().getString("p") + "/" + m.body().getLong("k")));
    long unackedButStored = all.stream().filter(a -> !a.acknowledged() && stored.contains(a.id())).count();
    List<Publisher.Attempt> crashWindow = all.stream().filter(a -> a.reply().port() != victimPort)
        .filter(a -> a.reply().doneNanos() > killedAt && a.reply().sentNanos() < killedAt + 5_000_000_000L).toList();
    long maxLatency = crashWindow.stream().mapToLong(a -> a.reply().millis()).max().orElse(0);
    long[] steady = all.stream().filter(a -> a.acknowledged() && a.reply().doneNanos() < killedAt)
        .mapToLong(a -> a.reply().millis()).sorted().toArray();
    long first = all.stream().mapToLong(a -> a.reply().sentNanos()).min().orElse(killedAt);
    long last = all.stream().mapToLong(a -> a.reply().sentNanos()).max().orElse(killedAt);
    long reconnectedMs = movers.stream().flatMap(c -> c.rejoins().stream())
        .mapToLong(r -> (r.doneNanos() - killedAt) / 1_000_000).max().orElse(-1);

    StringBuilder out = new StringBuilder();
    out.append(String.format("%n=== crash test: %s of %s, cluster.failureDetectionMs=%d ===%n", stop.label, victim,
        FAILURE_DETECTION_MS));
    out.append(String.format("cluster of %d processes formed and settled in %d ms; kill took %d ms%n", NODES,
        clusterMs, killMs));
    out.append(String.format("published %d, acknowledged %d (%d with seq), unacknowledged on the killed node %s "
            + "(%d of them stored anyway), not acknowledged on survivors %s%n", all.size(),
        all.stream().filter(Publisher.Attempt::acknowledged).count(), acked.size(), unackedOnVictim,
        unackedButStored, failedOnSurvivors));
    out.append(String.format("publishing for %d ms: %.0f publishes/s; ok latency before the kill p50 %d ms, "
            + "p99 %d ms%n", (last - first) / 1_000_000, all.size() * 1e9 / Math.max(1, last - first),
        percentile(steady, 50), percentile(steady, 99)));
    out.append(String.format("room seq %d..%d: %d messages stored, %d seen by %s%n", joinSeq + 1, finalSeq,
        finalSeq - joinSeq, storedSeqs.size(), observer((VICTIM + 1) % NODES).user()));
    for (RoomClient client : clients) {
      if (client.home() != VICTIM) {
        continue;
      }
      String drop = client.drops().stream()
          .map(d -> "dropped after " + (d.atNanos() - killedAt) / 1_000_000 + " ms (close " + d.code() + ")")
          .collect(Collectors.joining(", "));
      String back = client.rejoins().stream()
          .map(r -> String.format("reconnected to %d after %d ms (%d attempt(s)), join since %d recovered %d "
                  + "message(s) (recovered=%s, ok seq %d)", r.port(), (r.doneNanos() - killedAt) / 1_000_000,
              r.attempts(), r.since(), r.recoveredMessages(), r.recovered(), r.okSeq()))
          .collect(Collectors.joining(", "));
      out.append(String.format("  %s: %s%s%n", client.user(), drop.isEmpty() ? "no drop seen" : drop,
          back.isEmpty() ? (client.user().startsWith("gone-") ? ", stays gone" : ", NOT reconnected") : ", " + back));
    }
    out.append(String.format("all %d clients of the killed node reconnected after %d ms%n", movers.size(),
        reconnectedMs));
    long firstLeave = clients.stream().filter(c -> c.home() != VICTIM).flatMap(c -> c.presence().stream())
        .filter(p -> p.user().equals(goneUser(VICTIM)) && "leave".equals(p.state()))
        .mapToLong(p -> (p.atNanos() - killedAt) / 1_000_000).min().orElse(-1);
    out.append(String.format("presence dropped %s after %s ms (first leave push after %d ms); %s%n",
        goneUser(VICTIM), presenceGoneAt == 0 ? "never" : Long.toString((presenceGoneAt - killedAt) / 1_000_000),
        firstLeave, memberRemoval(killedClock)));
    out.append(String.format("survivors' publishes in the 5 s after the kill: %d, max latency %d ms%n",
        crashWindow.size(), maxLatency));
    System.out.print(out);
  }

  /** When each survivor's Hazelcast removed the member, from its log's timestamps. */
  private String memberRemoval(LocalTime killedClock) {
    List<String> seen = new ArrayList<>();
    for (int node = 0; node < NODES; node++) {
      if (node == VICTIM) {
        continue;
      }
      NodeProcess survivor = nodes.get(node);
      List<String> lines = survivor.lines();
      String removed = null;
      for (int i = lines.size() - 1; i > 0; i--) {
        if (lines.get(i).contains("Members {size:" + (NODES - 1) + ",")) {
          removed = lines.get(i - 1).length() >= 12 ? lines.get(i - 1) : lines.get(Math.max(0, i - 2));
          break;
        }
      }
      seen.add(survivor.name() + " removed the member after " + millisAfter(killedClock, removed) + " ms");
    }
    return String.join(", ", seen);
  }

  private static String millisAfter(LocalTime start, String logLine) {
    if (logLine == null) {
      return "?";
    }
    try {
      LocalTime at = LocalTime.parse(logLine.substring(0, 12));
      return Long.toString(Duration.between(start, at).toMillis());
    } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
      return "?";
    }
  }

  private static long percentile(long[] sorted, int percent) {
    return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
  }

  private static <T> String first(List<T> values) {
    return values.size() <= SHOWN ? values.toString()
        : values.subList(0, SHOWN) + " and " + (values.size() - SHOWN) + " more";
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

}
