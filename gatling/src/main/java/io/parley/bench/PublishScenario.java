package io.parley.bench;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * {@code publish}: the durable publish ceiling. P publishers, whose token may publish to the run's rooms without
 * joining them, publish to {@code --rooms} rooms in turn (a shared cursor: room k mod R), nobody subscribed, so
 * the node's work is the publish path and its store commit (a publish is answered {@code ok} once committed).
 * Closed loop by default: each publisher keeps {@code --concurrency} publishes unanswered; with {@code --rate R}
 * each publisher sends R/s instead (open loop, at most {@code --max-in-flight} unanswered, beyond which a due
 * publish is skipped and counted). Latency is publish to {@code ok}, for publishes sent after the warm-up; the
 * rate is the oks of those publishes over the measured seconds. Publishes carry no request id unless
 * {@code --publish-id true}: with one, every publish also writes a de-duplication record.
 *
 * <p>An ok without an id is matched to its publish by room: each publisher keeps, per room, a FIFO of the send
 * times of its unanswered publishes to that room (the node answers a connection's publishes to one room in seq
 * order). An error without an id names no room, so it frees a slot but leaves its send time queued: the next ok of
 * that room then reads too long a latency. The summary counts errors; a run with errors is not a clean figure.
 *
 * <p>{@code --per-room N} fills instead: exactly N messages to each room, then the run ends (no warm-up, every ok
 * timed); {@code --duration} bounds it.
 */
final class PublishScenario extends Scenario {

  private final Latency latency = new Latency();
  private final LongAdder measuredAcks = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final AtomicLong cursor = new AtomicLong();
  private Publisher[] publishers;
  private String prefix;
  private int rooms;
  private long quota = Long.MAX_VALUE;
  private volatile boolean stopped;
  private boolean rateMode;

  /** One publisher's state, touched on its connection's event loop only. */
  private static final class Publisher {
    final WsConnection connection;
    final ArrayDeque<Long>[] unanswered;
    int inFlight;
    long sentHere;

    @SuppressWarnings("unchecked")
    Publisher(WsConnection connection, int rooms) {
      this.connection = connection;
      this.unanswered = new ArrayDeque[rooms];
    }
  }

  PublishScenario(BenchOptions options) {
    super(options, false);
  }

  @Override
  String run() throws Exception {
    rooms = options.integer("rooms", 1000);
    int count = options.integer("publishers", 4);
    int concurrency = options.integer("concurrency", 16);
    double rate = options.number("rate", 0);
    rateMode = rate > 0;
    int maxInFlight = options.integer("max-in-flight", 10_000);
    int perRoom = options.integer("per-room", 0);
    int duration = options.integer("duration", perRoom > 0 ? 900 : 30);
    int warmup = perRoom > 0 ? 0 : options.integer("warmup", 5);
    int bodyBytes = options.integer("body-bytes", 0);
    if (perRoom > 0) {
      quota = (long) rooms * perRoom;
    }
    prefix = "pub-" + runId + "-";
    String padding = bodyBytes > 0 ? ",\"pad\":\"" + "x".repeat(bodyBytes) + "\"" : "";

    WsConnection[] connections = new WsConnection[count];
    Opener opener = new Opener(client, this, options.integer("connect-concurrency", 64));
    String claim = ",\"publish\":[\"" + prefix + "*\"]";
    progress.show("connecting", () -> "publishers=" + opener.opened.get() + "/" + count + " " + errorSummary());
    opener.openAll(Opener.plans(count, j -> Opener.Plan.spread(j, urls, tokens.mint("pub-" + runId + "-" + j, claim),
        List.of())), connections).get();
    if (opener.opened.get() == 0) {
      throw new IllegalStateException("no publisher could connect: " + opener.firstFailure.get());
    }
    publishers = new Publisher[count];
    for (int j = 0; j < count; j++) {
      if (connections[j] != null) {
        publishers[j] = new Publisher(connections[j], rooms);
      }
    }

    MeasureWindow window = openWindow(warmup, duration);
    long[] acksBefore = {0};
    progress.show(perRoom > 0 ? "filling" : "publishing", () -> {
      long now = acked.sum();
      long perSecond = now - acksBefore[0];
      acksBefore[0] = now;
      Histogram h = latency.sample();
      return (perRoom == 0 && window.secondsSinceStart(System.nanoTime()) < warmup ? "(warm-up) " : "")
          + publishCounts() + " (" + perSecond + "/s) p50=" + Latency.ms(h, 50) + " p99=" + Latency.ms(h, 99)
          + " " + errorSummary();
    });

    List<ScheduledFuture<?>> tickers = new ArrayList<>();
    long start = System.nanoTime();
    for (Publisher p : publishers) {
      if (p == null) {
        continue;
      }
      if (rate > 0) {
        // a 1 ms tick that sends what is due since the start: a fixed rate without one timer per publish
        tickers.add(p.connection.channelEventLoop().scheduleAtFixedRate(() -> {
          long now = System.nanoTime();
          if (stopped || window.isOver(now)) {
            return;
          }
          long due = (long) ((now - start) / 1e9 * rate);
          while (p.sentHere < due) {
            p.sentHere++;
            if (p.inFlight >= maxInFlight) {
              skipped.increment();
            } else if (!send(p, window)) {
              return;
            }
          }
        }, 0, 1, TimeUnit.MILLISECONDS));
      } else {
        p.connection.channelEventLoop().execute(() -> {
          for (int i = 0; i < concurrency; i++) {
            if (!send(p, window)) {
              return;
            }
          }
        });
      }
    }
    if (perRoom > 0) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
      while ((acked.sum() + errorCount() < quota) && System.nanoTime() < deadline && anyOpen()) {
        Thread.sleep(100);
      }
    } else {
      window.awaitEnd();
    }
    stopped = true;
    tickers.forEach(t -> t.cancel(false));
    window.stop();
    long measuredSeconds = perRoom > 0 ? 0 : duration;
    progress.show("draining", () -> publishCounts() + " " + errorSummary());
    long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acked.sum() + errorCount() < sent.sum() && System.nanoTime() < drainDeadline && anyOpen()) {
      Thread.sleep(50);
    }
    Histogram all = latency.total();
    closeAll(connections);

    double wallSeconds = window.wallSeconds();
    String mode = rate > 0 ? "rate=" + rate(rate) + "/s/publisher max_in_flight=" + maxInFlight + " skipped="
        + skipped.sum() : "concurrency=" + concurrency + "/publisher";
    String throughput = perRoom > 0
        ? "per_room=" + perRoom + " acked/s=" + rate(acked.sum() / wallSeconds) + " fill_seconds="
            + String.format("%.1f", wallSeconds) + " room_prefix=" + prefix
        : window.durationField() + " acked/s=" + rate(measuredAcks.sum() / (double) measuredSeconds);
    return "publish nodes=" + urls.size() + " rooms=" + rooms + " publishers=" + opener.opened.get() + "/" + count
        + " " + mode + " publish_id=" + publishIds + " " + throughput + " " + publishCounts() + " "
        + Latency.summary("", all) + " " + window.cpuSummary() + " " + errorSummary();
  }

  /** Sends the next publish of {@code p} (on its event loop); false once the run is over or the quota is sent. */
  private boolean send(Publisher p, MeasureWindow window) {
    long now = System.nanoTime();
    if (stopped || window.isOver(now) || !p.connection.isOpen()) {
      return false;
    }
    long k = cursor.getAndIncrement();
    if (k >= quota) {
      return false;
    }
    int room = (int) (k % rooms);
    ArrayDeque<Long> queue = p.unanswered[room];
    if (queue == null) {
      queue = p.unanswered[room] = new ArrayDeque<>(2);
    }
    queue.addLast(now);
    p.inFlight++;
    publish(p.connection, "\"room\":\"" + prefix + room + "\",\"body\":\"" + now + "\"");
    return true;
  }

  private Publisher publisherOf(WsConnection connection) {
    Publisher p = publishers == null ? null : publishers[connection.user];
    return p != null && p.connection == connection ? p : null;
  }

  @Override
  public void onAck(WsConnection connection, String frame) {
    long received = System.nanoTime();
    acked.increment();
    Publisher p = publisherOf(connection);
    if (p == null) {
      return;
    }
    p.inFlight--;
    int room = okRoom(frame);
    ArrayDeque<Long> queue = room >= 0 && room < rooms ? p.unanswered[room] : null;
    Long sentAt = queue == null ? null : queue.pollFirst();
    if (sentAt != null && timed(sentAt)) {
      latency.recordNanos(received - sentAt);
      measuredAcks.increment();
    }
    if (!isRateMode()) {
      send(p, windowOrNull());
    }
  }

  @Override
  public void onError(WsConnection connection, String code) {
    super.onError(connection, code);
    Publisher p = publisherOf(connection);
    if (p != null) {
      p.inFlight--;
      if (!isRateMode()) {
        send(p, windowOrNull());
      }
    }
  }

  /** The publisher has joined no room: nothing is delivered to it. */
  @Override
  public void onRoomMessage(WsConnection connection, int roomNumber, long seq, long sentNanos, long receivedNanos) {
  }

  private boolean isRateMode() {
    return rateMode;
  }

  private MeasureWindow windowOrNull() {
    return currentWindow();
  }

  private boolean anyOpen() {
    for (Publisher p : publishers) {
      if (p != null && p.connection.isOpen()) {
        return true;
      }
    }
    return false;
  }

  private long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** The trailing number of the room in {@code {"type":"ok",["id":N,]"room":"pub-x-42","seq":..}}, or -1. */
  static int okRoom(String frame) {
    int at = frame.indexOf("\"room\":\"");
    if (at < 0) {
      return -1;
    }
    int start = at + 8;
    int end = frame.indexOf('"', start);
    if (end < 0) {
      return -1;
    }
    int value = 0;
    int scale = 1;
    int i = end - 1;
    for (; i >= start && Character.isDigit(frame.charAt(i)); i--) {
      value += (frame.charAt(i) - '0') * scale;
      scale *= 10;
    }
    return i == end - 1 ? -1 : value;
  }
}
