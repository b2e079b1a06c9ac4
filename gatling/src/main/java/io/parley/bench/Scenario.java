package io.parley.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/** What every scenario shares: options, the client, the node probes, error and close counters, helpers. */
abstract class Scenario implements FrameListener {

  final BenchOptions options;
  final String runId;
  final List<URI> urls;
  final List<NodeProbe> probes = new ArrayList<>();
  final TokenMinter tokens;
  final Progress progress;
  final WsClient client;
  final LongAdder presence = new LongAdder();
  final LongAdder unexpectedCloses = new LongAdder();
  final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  final Map<Integer, LongAdder> closeCodes = new ConcurrentHashMap<>();
  final boolean publishIds;
  volatile boolean closing;

  Scenario(BenchOptions options) {
    this.options = options;
    this.runId = options.string("run-id", Long.toString(System.currentTimeMillis() % 10_000_000, 36));
    this.urls = options.urls();
    List<Integer> pids = options.nodePids();
    for (int i = 0; i < urls.size(); i++) {
      probes.add(new NodeProbe(i < pids.size() ? pids.get(i) : -1, urls.get(i)));
    }
    this.tokens = new TokenMinter(options.secret(), 6 * 3600);
    this.publishIds = Boolean.parseBoolean(options.string("publish-id", "true"));
    this.progress = new Progress(options.scenario);
    this.client = new WsClient(options.integer("threads", 2), options.sources());
  }

  /** Sends a publish: with an id (as real clients do, so the node de-duplicates retries) unless --publish-id false. */
  void publish(WsConnection connection, String fields) {
    if (publishIds) {
      connection.fire("publish", fields);
    } else {
      connection.fireWithoutId("publish", fields);
    }
  }

  /** Runs the scenario and returns its one summary line. */
  abstract String run() throws Exception;

  @Override
  public void onError(WsConnection connection, String code) {
    errors.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  @Override
  public void onPresence(WsConnection connection) {
    presence.increment();
  }

  @Override
  public void onClosed(WsConnection connection, int closeCode) {
    if (!closing) {
      unexpectedCloses.increment();
      closeCodes.computeIfAbsent(closeCode, k -> new LongAdder()).increment();
    }
  }

  String errorSummary() {
    StringBuilder out = new StringBuilder("errors=" + errors.values().stream().mapToLong(LongAdder::sum).sum());
    errors.forEach((code, n) -> out.append(' ').append(code).append('=').append(n.sum()));
    out.append(" closed=").append(unexpectedCloses.sum());
    closeCodes.forEach((code, n) -> out.append(" close").append(code).append('=').append(n.sum()));
    return out.toString();
  }

  /** Waits until the presence pushes that joins cause have stopped arriving for a second (at most 60 s). */
  void awaitPresenceQuiet() throws InterruptedException {
    long last = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      long now = presence.sum();
      if (now == last) {
        return;
      }
      last = now;
      Thread.sleep(1000);
    }
  }

  /** Polls {@code condition} every 100 ms until true or until {@code stallSeconds} pass without {@code progress} moving. */
  static void awaitOrStall(BooleanSupplier condition, AtomicLongLike progress, int stallSeconds, int maxSeconds)
      throws InterruptedException {
    long start = System.nanoTime();
    long lastValue = progress.get();
    long lastMove = start;
    while (!condition.getAsBoolean()) {
      long now = System.nanoTime();
      long value = progress.get();
      if (value != lastValue) {
        lastValue = value;
        lastMove = now;
      }
      if (now - lastMove > TimeUnit.SECONDS.toNanos(stallSeconds) || now - start > TimeUnit.SECONDS.toNanos(maxSeconds)) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /** A counter read by {@link #awaitOrStall}. */
  interface AtomicLongLike {
    long get();
  }

  static AtomicLongLike of(LongAdder adder) {
    return adder::sum;
  }

  static AtomicLongLike of(AtomicLong value) {
    return value::get;
  }

  /** Closes every connection with a 1000 close frame and waits for the sockets to go (at most 15 s). */
  void closeAll(WsConnection[] connections) throws InterruptedException {
    closing = true;
    closeAndWait(connections);
  }

  /** {@link #closeAll} for connections whose closes no counter follows (the idle warm-up). */
  static void closeAndWait(WsConnection[] connections) throws InterruptedException {
    for (WsConnection c : connections) {
      if (c != null) {
        c.close();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (WsConnection c : connections) {
      while (c != null && c.isOpen() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
  }

  static int countOpen(WsConnection[] connections) {
    int open = 0;
    for (WsConnection c : connections) {
      if (c != null && c.isOpen()) {
        open++;
      }
    }
    return open;
  }

  static String rate(double value) {
    return String.format("%.0f", value);
  }

  void shutdown() {
    progress.close();
    client.close();
  }
}
