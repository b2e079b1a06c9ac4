package io.parley.bench;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * {@code fanout} and {@code cluster}: S subscribers join one room (round-robin over the {@code --url}s), P
 * publishers on the first node publish R messages/s in total for W + D seconds, each body the publisher's
 * System.nanoTime at send. Publishers hold a token that lets them publish without joining, so each message has
 * exactly S receivers. Latency is recorded after the W warm-up seconds, split by the subscriber's node: "local"
 * is the publishers' node, "remote" any other.
 */
final class FanoutScenario extends Scenario {

  private final Latency local = new Latency();
  private final Latency remote = new Latency();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder outOfOrder = new LongAdder();
  private final LongAdder[] deliveredByNode = new LongAdder[16];

  FanoutScenario(BenchOptions options) {
    super(options);
    for (int i = 0; i < deliveredByNode.length; i++) {
      deliveredByNode[i] = new LongAdder();
    }
  }

  @Override
  String run() throws Exception {
    int subscribers = options.integer("subscribers", 1000);
    int publishers = options.integer("publishers", 1);
    double rate = options.number("rate", 100);
    int duration = options.integer("duration", 60);
    int warmup = options.integer("warmup", 5);
    String room = options.string("room", "fan-" + runId);
    int concurrency = options.integer("concurrency", 256);

    WsConnection[] subs = new WsConnection[subscribers];
    Opener opener = new Opener(client, this, concurrency);
    progress.show("connecting", () -> "subscribers=" + opener.opened.get() + "/" + subscribers + " failed="
        + opener.failed.get() + " " + errorSummary());
    opener.openAll(Opener.plans(subscribers, i -> Opener.Plan.spread(i, urls, tokens.mint("sub-" + runId + "-" + i),
        List.of(room))), subs).get();
    WsConnection[] pubs = new WsConnection[publishers];
    Opener pubOpener = new Opener(client, this, concurrency);
    String publishClaim = ",\"publish\":[\"" + room + "\"]";
    pubOpener.openAll(Opener.plans(publishers, j -> Opener.Plan.of(subscribers + j, urls.get(0), 0,
        tokens.mint("pub-" + runId + "-" + j, publishClaim), List.of())), pubs).get();
    if (opener.failed.get() + pubOpener.failed.get() > 0) {
      System.out.println("[" + options.scenario + "] set-up failures: subscribers " + opener.failed.get()
          + ", publishers " + pubOpener.failed.get() + "; first: " + opener.firstFailure.get() + " "
          + pubOpener.firstFailure.get());
    }
    if (opener.opened.get() == 0 || pubOpener.opened.get() == 0) {
      throw new IllegalStateException("no subscriber or no publisher could connect");
    }
    awaitPresenceQuiet();
    int subscribed = opener.opened.get();

    MeasureWindow window = openWindow(warmup, duration);
    progress.show("publishing", () -> {
      Histogram l = local.sample();
      Histogram r = remote.sample();
      return window.progress(delivered.sum(), publishCounts()) + " p99=" + Latency.ms(l, 99)
          + (urls.size() > 1 ? " remote_p99=" + Latency.ms(r, 99) : "") + " " + errorSummary();
    });
    List<ScheduledFuture<?>> tickers = new ArrayList<>();
    long periodNanos = (long) (1e9 * publishers / rate);
    int[] seq = new int[publishers];
    for (int j = 0; j < publishers; j++) {
      WsConnection pub = pubs[j];
      if (pub == null) {
        continue;
      }
      long phase = periodNanos * j / publishers;
      tickers.add(pub.channelEventLoop().scheduleAtFixedRate(() -> {
        if (window.isOver(System.nanoTime())) {
          return;
        }
        publish(pub, "\"room\":\"" + room + "\",\"body\":\"" + System.nanoTime() + "\"");
      }, phase, periodNanos, TimeUnit.NANOSECONDS));
    }
    window.awaitEnd();
    tickers.forEach(t -> t.cancel(false));
    window.stop();

    drain("delivered", delivered, () -> acked.sum() * subscribed);
    long expected = acked.sum() * subscribed;
    long got = delivered.sum();
    Histogram all = local.total().copy();
    Histogram remoteTotal = remote.total();
    all.add(remoteTotal);
    closeAll(subs);
    closeAll(pubs);

    String line = options.scenario + " nodes=" + urls.size() + " subscribers=" + subscribed + "/" + subscribers
        + " publishers=" + publishers + " rate=" + rate(rate) + "/s " + window.durationField()
        + " " + publishCounts() + " delivered=" + outOf(got, expected) + " out_of_order=" + outOfOrder.sum()
        + " " + window.deliveriesPerSecond(got) + " " + Latency.summary("", all);
    if (urls.size() > 1) {
      StringBuilder perNode = new StringBuilder(" delivered_by_node=");
      for (int n = 0; n < urls.size(); n++) {
        long members = (subscribed + urls.size() - 1 - n) / urls.size();
        perNode.append(n == 0 ? "" : ",").append(deliveredByNode[n].sum()).append('/').append(acked.sum() * members);
      }
      line += perNode + " " + Latency.summary("local_", local.total()) + " " + Latency.summary("remote_", remoteTotal);
    }
    return line + " " + window.cpuSummary() + " " + errorSummary();
  }

  @Override
  public void onRoomMessage(WsConnection connection, int roomNumber, long seq, long sentNanos, long receivedNanos) {
    delivered.increment();
    deliveredByNode[connection.node % deliveredByNode.length].increment();
    if (seq <= connection.lastSeq) {
      outOfOrder.increment();
    }
    connection.lastSeq = seq;
    if (timed(sentNanos)) {
      (connection.node == 0 ? local : remote).recordNanos(receivedNanos - sentNanos);
    }
  }
}
