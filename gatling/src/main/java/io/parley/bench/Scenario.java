package io.parley.bench;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * What every scenario shares: options, the client, the node probes, error and close counters, helpers; and for the
 * scenarios that publish, the publish counters, the timed window and the drain after it.
 */
abstract class Scenario implements FrameListener {

  final BenchOptions options;
  final String runId;
  final List<URI> urls;
  final List<NodeProbe> probes;
  final TokenMinter tokens;
  final Progress progress;
  final WsClient client;
  final LongAdder presence = new LongAdder();
  final LongAdder unexpectedCloses = new LongAdder();
  final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  final Map<Integer, LongAdder> closeCodes = new ConcurrentHashMap<>();
  /** Publishes sent, and the {@code ok}s that answered them (the scenarios that publish). */
  final LongAdder sent = new LongAdder();
  final LongAdder acked = new LongAdder();
  final boolean publishIds;
  volatile boolean closing;
  /** Null until the timed window opens; the event loops read it to decide which latencies count. */
  private volatile MeasureWindow window;

  Scenario(BenchOptions options) {
    this(options, true);
  }

  /** {@code publishIdsByDefault}: whether publishes carry a request id when {@code --publish-id} is not given. */
  Scenario(BenchOptions options, boolean publishIdsByDefault) {
    this.options = options;
    this.runId = options.runId();
    this.urls = options.urls();
    this.probes = options.probes();
    this.tokens = new TokenMinter(options.secret(), 6 * 3600);
    this.publishIds = Boolean.parseBoolean(options.string("publish-id", Boolean.toString(publishIdsByDefault)));
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
    sent.increment();
  }

  /** Opens the timed window now (after set-up and settling): from here on latencies count once W seconds pass. */
  MeasureWindow openWindow(int warmupSeconds, int durationSeconds) {
    MeasureWindow opened = new MeasureWindow(probes, client.group(), warmupSeconds, durationSeconds);
    window = opened;
    return opened;
  }

  /** The open window, or null before {@link #openWindow}. */
  MeasureWindow currentWindow() {
    return window;
  }

  /** Whether a delivery of a message sent at {@code sentNanos} is timed: only after the window's warm-up. */
  boolean timed(long sentNanos) {
    MeasureWindow w = window;
    return w != null && w.times(sentNanos);
  }

  /** Runs the scenario and returns its one summary line. */
  abstract String run() throws Exception;

  @Override
  public void onAck(WsConnection connection) {
    acked.increment();
  }

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

  /** {@code sent=.. acked=..}. */
  String publishCounts() {
    return "sent=" + sent.sum() + " acked=" + acked.sum();
  }

  /**
   * After the window: waits until {@code delivered} reaches {@code expected} and every publish is acknowledged, or
   * until deliveries stall for 15 s (at most 90 s), showing {@code label=delivered/expected}.
   */
  void drain(String label, LongAdder delivered, LongSupplier expected) throws InterruptedException {
    progress.show("draining", () -> label + "=" + delivered.sum() + "/" + expected.getAsLong());
    awaitOrStall(() -> delivered.sum() >= expected.getAsLong() && acked.sum() >= sent.sum(), delivered::sum, 15, 90);
  }

  /** Shows "settling" and waits until the presence pushes that joins cause have stopped for a second (at most 60 s). */
  void awaitPresenceQuiet() throws InterruptedException {
    progress.show("settling", () -> "presence pushes=" + presence.sum());
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
  private static void awaitOrStall(BooleanSupplier condition, LongSupplier progress, int stallSeconds, int maxSeconds)
      throws InterruptedException {
    long start = System.nanoTime();
    long lastValue = progress.getAsLong();
    long lastMove = start;
    while (!condition.getAsBoolean()) {
      long now = System.nanoTime();
      long value = progress.getAsLong();
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

  /** {@code got/want (p%)}, the delivery check of a summary line. */
  static String outOf(long got, long want) {
    return got + "/" + want + String.format(" (%.3f%%)", want == 0 ? 0 : 100.0 * got / want);
  }

  void shutdown() {
    progress.close();
    client.close();
  }
}
