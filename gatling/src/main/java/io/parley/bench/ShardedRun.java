package io.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code idle --processes N}: one process holds at most about 19k sockets (20,000 open files), so larger runs
 * start N child JVMs of this bench, each with {@code --shard i/N}. The parent relays their lines, lets them past
 * the barriers together (warm, ready, connected, held), measures the node and generator CPU over the connect phase
 * itself, and prints one summary for the whole run. Children die with the parent: a shutdown hook destroys them,
 * and a child whose standard input closes exits on its own.
 */
final class ShardedRun {

  /** Connections one child takes when {@code --processes} is not given, below the 20,000 open files. */
  static final int USERS_PER_PROCESS = 18_000;
  private static final String[] STEP_FIELDS = {"handshake_p50", "handshake_p99", "auth_p50", "auth_p99", "join_p50",
      "join_p99"};
  /** Node figures, read by shard 0 alone, since every shard sees the same node. */
  private static final String[] NODE_FIELDS = {"node_rss", "rss_per_conn", "heap_before", "heap_after_gc",
      "heap_per_conn_after_gc", "rss_after_gc", "rss_per_conn_after_gc", "heap_at_rest", "heap_per_conn_at_rest"};

  private final BenchOptions options;
  private final int count;
  private final List<NodeProbe> probes;
  private final List<ChildProcess> children = new ArrayList<>();

  ShardedRun(BenchOptions options, int count) {
    this.options = options;
    this.count = count;
    this.probes = options.probes();
  }

  /**
   * How many processes this run takes: {@code --processes}, else for {@code idle} one per 18,000 users (unless
   * this process already is a shard), else 1.
   */
  static int processes(BenchOptions options) {
    boolean idle = options.scenario.equals("idle");
    int processes;
    if (options.flag("processes")) {
      processes = options.integer("processes", 1);
    } else if (idle && !options.flag("shard") && !options.flag("child")) {
      int users = options.integer("users", IdleScenario.DEFAULT_USERS);
      processes = Math.max(1, (users + USERS_PER_PROCESS - 1) / USERS_PER_PROCESS);
    } else {
      processes = 1;
    }
    if (processes < 1) {
      throw new IllegalArgumentException("--processes must be at least 1");
    }
    if (processes > 1 && !idle) {
      throw new IllegalArgumentException("--processes applies to idle only (fanout and chat time deliveries within one process)");
    }
    if (processes > 1 && options.flag("shard")) {
      throw new IllegalArgumentException("--processes sets each child's --shard: do not give both");
    }
    return processes;
  }

  /** Runs the children to the end and returns the exit status: 0 when every child completed, else 1. */
  int run() throws Exception {
    String secret = options.secret();
    String runId = options.runId();
    int hold = options.integer("hold", 30);
    System.out.println("[idle] processes=" + count + " users=" + options.integer("users", IdleScenario.DEFAULT_USERS)
        + " run-id=" + runId + " urls=" + options.urls());
    Thread reaper = new Thread(this::destroyChildren, "bench-destroy-children");
    Runtime.getRuntime().addShutdownHook(reaper);
    for (int i = 0; i < count; i++) {
      children.add(new ChildProcess(ChildCommand.of(options, i, count, runId), secret, i, count));
    }
    if (!pass("warm", 600)) {
      return fail("not every shard finished its warm-up");
    }
    releaseAll();
    if (!pass("ready", 300)) {
      return fail("not every shard got ready");
    }
    CpuWindow cpu = new CpuWindow(probes, this::childrenCpuNanos);
    releaseAll();
    if (!pass("connected", 900)) {
      return fail("not every shard finished connecting");
    }
    cpu.stop();
    releaseAll();
    if (!pass("held", hold + 360)) {
      return fail("not every shard finished holding");
    }
    releaseAll();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    List<SummaryFields> summaries = new ArrayList<>();
    for (ChildProcess child : children) {
      int status = child.awaitExit(deadline);
      if (status != 0 || child.summary() == null) {
        return fail("a shard ended with status " + status + (child.summary() == null ? " and no summary" : ""));
      }
      summaries.add(new SummaryFields(child.summary()));
    }
    System.out.println("SUMMARY " + summary(summaries, cpu));
    return 0;
  }

  /** Waits until every child has reached {@code barrier}; false if one exits first or time runs out. */
  private boolean pass(String barrier, int maxSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (ChildProcess child : children) {
        if (!child.reached(barrier)) {
          if (!child.isAlive()) {
            return false;
          }
          all = false;
        }
      }
      if (all) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  private void releaseAll() {
    children.forEach(ChildProcess::release);
  }

  /** The children's CPU time summed; -1 once one of them is gone. */
  private long childrenCpuNanos() {
    return NodeProbe.total(children.stream().mapToLong(ChildProcess::cpuNanos).toArray());
  }

  private String summary(List<SummaryFields> shards, CpuWindow cpu) {
    long opened = sum(shards, "opened");
    double connectSeconds = shards.stream().mapToDouble(s -> s.number("connect_time")).max().orElse(Double.NaN);
    SummaryFields first = shards.get(0);
    StringBuilder out = new StringBuilder("idle users=" + options.integer("users", IdleScenario.DEFAULT_USERS)
        + " processes=" + count + " opened=" + opened + " failed=" + sum(shards, "failed") + " held=" + sum(shards, "held")
        + first.word("node_connections")
        + " connect_rate=" + Scenario.rate(opened / connectSeconds) + "/s"
        + String.format(" connect_time=%.1fs", connectSeconds)
        + " " + cpu.summary(opened) + " warmup_users=" + sum(shards, "warmup_users"));
    for (String step : STEP_FIELDS) {
      double worst = shards.stream().mapToDouble(s -> s.number(step)).max().orElse(Double.NaN);
      out.append(' ').append(step).append('=').append(Double.isNaN(worst) ? "-" : String.format("%.2fms", worst));
    }
    for (String field : NODE_FIELDS) {
      out.append(first.word(field));
    }
    out.append(" errors=").append(sum(shards, "errors")).append(" closed=").append(sum(shards, "closed"));
    shards.stream().map(SummaryFields::firstFailure).filter(f -> f != null).findFirst()
        .ifPresent(f -> out.append(' ').append(f));
    return out.toString();
  }

  private static long sum(List<SummaryFields> shards, String field) {
    return shards.stream().mapToLong(s -> (long) s.number(field)).sum();
  }

  private int fail(String reason) {
    System.out.println("[idle] failed: " + reason);
    destroyChildren();
    return 1;
  }

  private void destroyChildren() {
    for (ChildProcess child : children) {
      child.destroy(3000);
    }
  }
}
