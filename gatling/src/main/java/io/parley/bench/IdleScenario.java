package io.parley.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code idle}: opens N authenticated connections (auth, then join one of {@code --rooms} rooms, about 20 users
 * each so presence pushes stay small), holds them, and divides the node's RSS and heap growth by the connections
 * the node reports; {@code --url-token} puts each user's token in its WebSocket URL instead of an {@code auth}
 * frame. {@code --warmup-users} connections are opened and closed first, uncounted, so that neither the node's JIT
 * nor the bench's is timed; {@code --warmup-rounds} times (a fresh node's C2 keeps compiling through about 100,000
 * connections, so a warm node's figure needs several rounds). Several processes may share the N users with
 * {@code --shard i/n}: started by hand, each waits for the node to report {@code --wait-connections} before
 * holding; started by a {@code --processes} parent, they meet at its barriers instead.
 */
final class IdleScenario extends Scenario {

  static final int DEFAULT_USERS = 5000;
  private static final int DEFAULT_WARMUP_USERS = 2000;
  /**
   * Set-ups in flight. A loaded node takes about 100 ms per set-up (handshake, auth, join), so 256 in flight
   * capped the rate near 2,500/s; 8,000/s at that latency needs about 800.
   */
  private static final int DEFAULT_CONCURRENCY = 1024;
  /** RSS readings half a second apart closer than this: the node is done giving memory back. */
  private static final long RSS_SETTLED_BYTES = 1 << 20;

  /** {@code --url-token}: tokens go in the WebSocket URL, so a set-up is handshake then join, without auth. */
  private final boolean tokenInUrl;

  IdleScenario(BenchOptions options) {
    super(options);
    this.tokenInUrl = options.flag("url-token");
  }

  @Override
  String run() throws Exception {
    int users = options.integer("users", DEFAULT_USERS);
    int hold = options.integer("hold", 30);
    int rooms = options.integer("rooms", Math.max(1, users / 20));
    int[] shard = options.shard();
    boolean gc = options.flag("gc");
    int mine = (users - shard[0] + shard[1] - 1) / shard[1];
    int warmupUsers = Math.min(options.integer("warmup-users", DEFAULT_WARMUP_USERS), mine);
    int warmupRounds = options.integer("warmup-rounds", 1);
    ParentLink parent = ParentLink.of(options);

    for (int round = 1; round <= warmupRounds; round++) {
      warmUp(warmupUsers, rooms, round + "/" + warmupRounds);
    }
    // Every shard's warm-up connections are gone before any shard takes the node's baseline.
    parent.await("warm", 600);
    progress.show("baseline", () -> "reading node RSS and heap" + (gc ? " after a GC" : ""));
    long[] rss0 = rss();
    long[] heap0 = heap(gc);
    // after a full GC the node has handed back what it does not use: RSS then reflects what the connections keep
    long[] rss0AfterGc = gc ? settledRss() : null;
    long conns0 = connections();
    progress.show("minting", () -> mine + " tokens");
    Opener.Plan[] plans = Opener.plans(mine, position -> {
      int user = shard[0] + position * shard[1];
      return Opener.Plan.spread(user, urls, tokens.mint("idle-" + runId + "-" + user),
          List.of("idle-" + runId + "-" + user % rooms));
    });
    parent.await("ready", 300);

    WsConnection[] connections = new WsConnection[mine];
    Opener opener = new Opener(client, this, options.integer("concurrency", DEFAULT_CONCURRENCY), tokenInUrl);
    CpuWindow cpu = CpuWindow.ofThisProcess(probes);
    PushesPerWrite pushesPerWrite = new PushesPerWrite(probes);
    long start = System.nanoTime();
    progress.show("connecting", () -> "open=" + opener.opened.get() + "/" + mine + " failed=" + opener.failed.get()
        + " rate=" + rate(opener.opened.get() / seconds(start)) + "/s " + errorSummary());
    opener.openAll(plans, connections).get();
    double connectSeconds = seconds(start);
    cpu.stop();
    pushesPerWrite.stop();
    int opened = opener.opened.get();
    parent.await("connected", 900);

    int waitFor = options.integer("wait-connections", 0);
    if (waitFor > 0 && !parent.attached()) {
      progress.show("waiting", () -> "node connections=" + connections() + "/" + waitFor);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (connections() < waitFor && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
    }
    long holdStart = System.nanoTime();
    progress.show("holding", () -> "open=" + countOpen(connections) + " node_connections=" + connections()
        + " node_rss=" + mb(sum(rss())) + " hold=" + Math.round(seconds(holdStart)) + "/" + hold + "s " + errorSummary());
    Thread.sleep(TimeUnit.SECONDS.toMillis(hold));
    int held = countOpen(connections);
    long[] rss1 = rss();
    long heapAtRest = sum(heap(false));
    long[] heap1 = gc ? heap(true) : null;
    long[] rss1AfterGc = gc ? settledRss() : null;
    long conns1 = connections();
    long nodeConns = conns0 >= 0 && conns1 >= 0 ? conns1 - conns0 : held;
    parent.await("held", 300);
    progress.show("closing", () -> "open=" + countOpen(connections));
    closeAll(connections);

    long rssGrowth = diff(sum(rss1), sum(rss0));
    String heapFigure = gc
        ? "heap_after_gc=" + mb(sum(heap1)) + " heap_per_conn_after_gc=" + kb(diff(sum(heap1), sum(heap0)), nodeConns)
            + " rss_after_gc=" + mb(sum(rss0AfterGc)) + "->" + mb(sum(rss1AfterGc))
            + " rss_per_conn_after_gc=" + kb(diff(sum(rss1AfterGc), sum(rss0AfterGc)), nodeConns)
        : "heap_at_rest=" + mb(heapAtRest) + " heap_per_conn_at_rest=" + kb(diff(heapAtRest, sum(heap0)), nodeConns)
            + " (no GC forced: pass --gc)";
    return "idle users=" + users + " shard=" + shard[0] + "/" + shard[1] + " mine=" + mine + " opened=" + opened
        + " failed=" + opener.failed.get() + " held=" + held + " node_connections=" + nodeConns
        + " connect_rate=" + rate(opened / connectSeconds) + "/s connect_time=" + String.format("%.1fs", connectSeconds)
        + " " + cpu.summary(opened) + " " + pushesPerWrite.summary() + " warmup_users=" + warmupUsers
        + " warmup_rounds=" + warmupRounds + " url_token=" + tokenInUrl
        + " " + opener.stepSummary() + " node_rss=" + mb(sum(rss0)) + "->" + mb(sum(rss1)) + " rss_per_conn=" + kb(rssGrowth, nodeConns)
        + " heap_before=" + mb(sum(heap0)) + " " + heapFigure
        + (gc ? " heap_at_rest=" + mb(heapAtRest) : "")
        + " " + errorSummary()
        + (opener.firstFailure.get() == null ? "" : " first_failure=\"" + opener.firstFailure.get() + "\"");
  }

  /**
   * Opens and closes {@code count} connections of their own users and rooms, with a listener that counts nothing,
   * then waits (at most 30 s) for the node to report its connection count from before.
   */
  private void warmUp(int count, int rooms, String round) throws Exception {
    if (count <= 0) {
      return;
    }
    long before = connections();
    FrameListener uncounted = (connection, roomNumber, seq, sentNanos, receivedNanos) -> {};
    Opener opener = new Opener(client, uncounted, options.integer("concurrency", DEFAULT_CONCURRENCY), tokenInUrl);
    WsConnection[] connections = new WsConnection[count];
    String prefix = "idle-" + runId + "-warmup-" + options.shard()[0] + "-";
    Opener.Plan[] plans = Opener.plans(count, i -> Opener.Plan.spread(i, urls, tokens.mint(prefix + i),
        List.of(prefix + i % rooms)));
    progress.show("warming up " + round, () -> "open=" + opener.opened.get() + "/" + count + " failed=" + opener.failed.get());
    opener.openAll(plans, connections).get();
    progress.show("warming up " + round, () -> "closing " + countOpen(connections) + ", node connections=" + connections());
    closeAndWait(connections);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (before >= 0 && connections() > before && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    JitQuiet.await(progress);
  }

  /**
   * RSS once it stops falling (at most 10 s): after a full GC, JDK 17's G1 hands the freed heap back to the OS in
   * the background, so a reading taken at once can still hold it. After warm-up rounds that is hundreds of MB:
   * the first reading kept them and the second did not, and the per-connection figure came out negative.
   */
  private long[] settledRss() throws InterruptedException {
    long[] last = rss();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Thread.sleep(500);
      long[] now = rss();
      if (Math.abs(sum(now) - sum(last)) < RSS_SETTLED_BYTES) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private long[] rss() {
    return probes.stream().mapToLong(NodeProbe::rssBytes).toArray();
  }

  private long[] heap(boolean gc) {
    if (gc) {
      probes.forEach(NodeProbe::forceGc);
    }
    return probes.stream().mapToLong(NodeProbe::heapUsedBytes).toArray();
  }

  private long connections() {
    return sum(probes.stream().mapToLong(NodeProbe::connections).toArray());
  }

  private static long sum(long[] values) {
    return NodeProbe.total(values);
  }

  private static long diff(long after, long before) {
    return after < 0 || before < 0 ? -1 : after - before;
  }

  private static double seconds(long startNanos) {
    return Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
  }

  static String mb(long bytes) {
    return bytes < 0 ? "-" : String.format("%.1fMB", bytes / 1048576.0);
  }

  static String kb(long bytes, long connections) {
    return bytes == -1 || connections <= 0 ? "-" : String.format("%.1fKB", bytes / 1024.0 / connections);
  }

  @Override
  public void onRoomMessage(WsConnection connection, int roomNumber, long seq, long sentNanos, long receivedNanos) {}
}
