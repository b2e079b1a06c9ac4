package io.parley.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code idle}: opens N authenticated connections (auth, then join one of {@code --rooms} rooms, about 20 users
 * each so presence pushes stay small), holds them, and divides the node's RSS and heap growth by the connections
 * the node reports. Several processes may share the N users with {@code --shard i/n}; each then waits for the
 * node to report {@code --wait-connections} before holding.
 */
final class IdleScenario extends Scenario {

  IdleScenario(BenchOptions options) {
    super(options);
  }

  @Override
  String run() throws Exception {
    int users = options.integer("users", 5000);
    int hold = options.integer("hold", 30);
    int rooms = options.integer("rooms", Math.max(1, users / 20));
    int[] shard = options.shard();
    boolean gc = options.flag("gc");
    int mine = (users - shard[0] + shard[1] - 1) / shard[1];

    progress.show("baseline", () -> "reading node RSS and heap" + (gc ? " after a GC" : ""));
    long[] rss0 = rss();
    long[] heap0 = heap(gc);
    long conns0 = connections();

    WsConnection[] connections = new WsConnection[mine];
    Opener opener = new Opener(client, this, options.integer("concurrency", 256));
    CpuWindow cpu = new CpuWindow();
    long start = System.nanoTime();
    progress.show("connecting", () -> "open=" + opener.opened.get() + "/" + mine + " failed=" + opener.failed.get()
        + " rate=" + rate(opener.opened.get() / seconds(start)) + "/s " + errorSummary());
    opener.openAll(mine, position -> {
      int user = shard[0] + position * shard[1];
      int node = user % urls.size();
      String id = "idle-" + runId + "-" + user;
      return new Opener.Plan(user, urls.get(node), node, tokens.mint(id), List.of("idle-" + runId + "-" + user % rooms));
    }, connections).get();
    double connectSeconds = seconds(start);
    cpu.stop();
    int opened = opener.opened.get();

    int waitFor = options.integer("wait-connections", 0);
    if (waitFor > 0) {
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
    long conns1 = connections();
    long nodeConns = conns0 >= 0 && conns1 >= 0 ? conns1 - conns0 : held;
    progress.show("closing", () -> "open=" + countOpen(connections));
    closeAll(connections);

    long rssGrowth = diff(sum(rss1), sum(rss0));
    String heapFigure = gc
        ? "heap_after_gc=" + mb(sum(heap1)) + " heap_per_conn_after_gc=" + kb(diff(sum(heap1), sum(heap0)), nodeConns)
        : "heap_at_rest=" + mb(heapAtRest) + " heap_per_conn_at_rest=" + kb(diff(heapAtRest, sum(heap0)), nodeConns)
            + " (no GC forced: pass --gc)";
    return "idle users=" + users + " shard=" + shard[0] + "/" + shard[1] + " mine=" + mine + " opened=" + opened
        + " failed=" + opener.failed.get() + " held=" + held + " node_connections=" + nodeConns
        + " connect_rate=" + rate(opened / connectSeconds) + "/s connect_time=" + String.format("%.1fs", connectSeconds)
        + " " + cpu.summary()
        + " " + opener.stepSummary() + " node_rss=" + mb(sum(rss0)) + "->" + mb(sum(rss1)) + " rss_per_conn=" + kb(rssGrowth, nodeConns)
        + " heap_before=" + mb(sum(heap0)) + " " + heapFigure
        + (gc ? " heap_at_rest=" + mb(heapAtRest) : "")
        + " " + errorSummary()
        + (opener.firstFailure.get() == null ? "" : " first_failure=\"" + opener.firstFailure.get() + "\"");
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
    long total = 0;
    for (NodeProbe probe : probes) {
      long n = probe.connections();
      if (n < 0) {
        return -1;
      }
      total += n;
    }
    return total;
  }

  private static long sum(long[] values) {
    long total = 0;
    for (long v : values) {
      if (v < 0) {
        return -1;
      }
      total += v;
    }
    return total;
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
