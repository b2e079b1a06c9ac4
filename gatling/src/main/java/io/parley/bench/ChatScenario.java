package io.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * {@code chat}: U users in K rooms of 10 to 50 members (each user has one home room; sizes are skewed, most rooms
 * small, a few full). For W + D seconds, random users publish R messages/s in total to their home room, and
 * {@code --churn} join-or-leave operations per second move random users into a second room for
 * {@code --visit} seconds and out again. Delivery is checked exactly for home rooms (every member gets every
 * acknowledged message, its own included); visits add deliveries and presence traffic and are only timed.
 */
final class ChatScenario extends Scenario {

  private static final int MIN_ROOM = 10;
  private static final int MAX_ROOM = 50;

  private final Latency latency = new Latency();
  private final LongAdder homeDelivered = new LongAdder();
  private final LongAdder visitDelivered = new LongAdder();
  private final LongAdder outOfOrder = new LongAdder();
  private final AtomicLong expected = new AtomicLong();
  private final LongAdder joins = new LongAdder();
  private final LongAdder leaves = new LongAdder();
  private final LongAdder churnFailures = new LongAdder();
  private int[] home;
  private int[] roomSize;

  ChatScenario(BenchOptions options) {
    super(options);
  }

  @Override
  String run() throws Exception {
    int users = options.integer("users", 10_000);
    int rooms = options.integer("rooms", 500);
    double rate = options.number("rate", 500);
    double churn = options.number("churn", 50);
    int visitSeconds = options.integer("visit", 10);
    int duration = options.integer("duration", 60);
    int warmup = options.integer("warmup", 5);
    if (users < rooms * MIN_ROOM || users > rooms * MAX_ROOM) {
      throw new IllegalArgumentException("users must be between " + MIN_ROOM + " and " + MAX_ROOM + " per room");
    }
    SplittableRandom random = new SplittableRandom(42);
    assignRooms(users, rooms, random);
    String prefix = "chat-" + runId + "-";

    WsConnection[] connections = new WsConnection[users];
    Opener opener = new Opener(client, this, options.integer("concurrency", 256));
    progress.show("connecting", () -> "users=" + opener.opened.get() + "/" + users + " failed=" + opener.failed.get()
        + " " + errorSummary());
    opener.openAll(Opener.plans(users, i -> Opener.Plan.spread(i, urls, tokens.mint("chat-" + runId + "-u" + i),
        List.of(prefix + home[i]))), connections).get();
    if (opener.opened.get() == 0) {
      throw new IllegalStateException("no user could connect: " + opener.firstFailure.get());
    }
    awaitPresenceQuiet();

    MeasureWindow window = openWindow(warmup, duration);
    progress.show("chatting", () -> {
      Histogram h = latency.sample();
      return window.progress(homeDelivered.sum() + visitDelivered.sum(), publishCounts()) + " joins=" + joins.sum()
          + " leaves=" + leaves.sum() + " p50=" + Latency.ms(h, 50) + " p99=" + Latency.ms(h, 99)
          + " " + errorSummary();
    });

    int[] visiting = new int[users];
    java.util.Arrays.fill(visiting, -1);
    ScheduledExecutorService driver = Executors.newSingleThreadScheduledExecutor();
    long[] done = {0, 0};
    driver.scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      if (window.isOver(now)) {
        return;
      }
      double elapsed = window.secondsSinceStart(now);
      for (; done[0] < (long) (rate * elapsed); done[0]++) {
        WsConnection c = connections[random.nextInt(users)];
        if (c != null && c.isOpen()) {
          publish(c, "\"room\":\"" + prefix + home[c.user] + "\",\"body\":\"" + System.nanoTime() + "\"");
        }
      }
      // Half the churn operations are joins; each visit ends with a leave visitSeconds later.
      for (; done[1] < (long) (churn / 2 * elapsed); done[1]++) {
        int u = random.nextInt(users);
        WsConnection c = connections[u];
        if (c == null || !c.isOpen() || visiting[u] >= 0) {
          continue;
        }
        int room = random.nextInt(rooms);
        if (room == home[u]) {
          room = (room + 1) % rooms;
        }
        visiting[u] = room;
        String name = prefix + room;
        c.request("join", "\"room\":\"" + name + "\"").whenComplete((ok, e) -> count(e, joins));
        driver.schedule(() -> {
          c.request("leave", "\"room\":\"" + name + "\"").whenComplete((ok, e) -> count(e, leaves));
          visiting[u] = -1;
        }, visitSeconds, TimeUnit.SECONDS);
      }
    }, 0, 2, TimeUnit.MILLISECONDS);
    window.awaitEnd();
    driver.shutdownNow();
    window.stop();

    drain("home deliveries", homeDelivered, expected::get);
    long got = homeDelivered.sum();
    long want = expected.get();
    Histogram h = latency.total();
    closeAll(connections);

    int smallest = Integer.MAX_VALUE;
    int largest = 0;
    for (int size : roomSize) {
      smallest = Math.min(smallest, size);
      largest = Math.max(largest, size);
    }
    return "chat nodes=" + urls.size() + " users=" + opener.opened.get() + "/" + users + " rooms=" + rooms
        + " room_size=" + smallest + ".." + largest + " rate=" + rate(rate) + "/s churn=" + rate(churn) + "/s"
        + " " + window.durationField() + " " + publishCounts() + " home_delivered=" + outOf(got, want)
        + " visit_delivered=" + visitDelivered.sum() + " out_of_order=" + outOfOrder.sum()
        + " " + window.deliveriesPerSecond(got + visitDelivered.sum())
        + " joins=" + joins.sum() + " leaves=" + leaves.sum() + " churn_failures=" + churnFailures.sum()
        + " " + Latency.summary("", h) + " " + window.cpuSummary() + " " + errorSummary();
  }

  private void count(Throwable error, LongAdder success) {
    if (error == null) {
      success.increment();
    } else {
      churnFailures.increment();
    }
  }

  /** Every room gets MIN_ROOM users, the rest go to rooms drawn with skewed weights until full at MAX_ROOM. */
  private void assignRooms(int users, int rooms, SplittableRandom random) {
    home = new int[users];
    roomSize = new int[rooms];
    double[] weight = new double[rooms];
    for (int r = 0; r < rooms; r++) {
      double u = random.nextDouble();
      weight[r] = u * u * u;
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, new java.util.Random(7));
    int next = 0;
    for (int r = 0; r < rooms; r++) {
      for (int k = 0; k < MIN_ROOM; k++) {
        home[order.get(next++)] = r;
        roomSize[r]++;
      }
    }
    while (next < users) {
      double total = 0;
      for (int r = 0; r < rooms; r++) {
        total += roomSize[r] < MAX_ROOM ? weight[r] : 0;
      }
      double pick = random.nextDouble() * total;
      int room = -1;
      for (int r = 0; r < rooms && pick >= 0; r++) {
        if (roomSize[r] < MAX_ROOM) {
          pick -= weight[r];
          room = r;
        }
      }
      home[order.get(next++)] = room;
      roomSize[room]++;
    }
  }

  @Override
  public void onRoomMessage(WsConnection connection, int roomNumber, long seq, long sentNanos, long receivedNanos) {
    if (roomNumber == home[connection.user]) {
      homeDelivered.increment();
      if (seq <= connection.lastSeq) {
        outOfOrder.increment();
      }
      connection.lastSeq = seq;
    } else {
      visitDelivered.increment();
    }
    if (timed(sentNanos)) {
      latency.recordNanos(receivedNanos - sentNanos);
    }
  }

  @Override
  public void onAck(WsConnection connection) {
    super.onAck(connection);
    expected.addAndGet(roomSize[home[connection.user]]);
  }
}
