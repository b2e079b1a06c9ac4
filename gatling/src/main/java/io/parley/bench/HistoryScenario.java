package io.parley.bench;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code history}: what room history costs the nodes' heap. One publisher, whose token may publish to the run's
 * rooms without joining them, stores one message in each of {@code --rooms} new rooms, then {@code --messages - 1}
 * more in each, and with {@code --expire-wait S} waits S seconds for them to expire (start the nodes with
 * {@code PARLEY_HISTORY_TTL_MS} below that). After each step every node ({@code --node-pid}, in the order of
 * {@code --url}) is asked for a full GC and its heap in use is read from {@code /metrics}: the summary gives the
 * cluster's heap per room with one message, per further message, and per room once its messages expired.
 */
final class HistoryScenario extends Scenario {

  HistoryScenario(BenchOptions options) {
    super(options);
  }

  @Override
  String run() throws Exception {
    int rooms = options.integer("rooms", 10_000);
    int messages = options.integer("messages", 10);
    int bodyBytes = options.integer("body-bytes", 80);
    int inFlight = options.integer("concurrency", 256);
    int expireWait = options.integer("expire-wait", 0);
    String prefix = "hist-" + runId + "-";
    WsConnection[] publisher = new WsConnection[1];
    Opener opener = new Opener(client, this, 1);
    opener.openAll(Opener.plans(1, i -> Opener.Plan.of(0, urls.get(0), 0,
        tokens.mint("hist-" + runId, ",\"publish\":[\"" + prefix + "*\"]"), List.of())), publisher).get();
    if (publisher[0] == null) {
      throw new IllegalStateException("the publisher could not connect: " + opener.firstFailure.get());
    }
    String body = ",\"body\":\"" + "x".repeat(bodyBytes) + "\"";
    progress.show("publishing", () -> publishCounts() + " " + errorSummary());

    long heapEmpty = heapAfterGc();
    publishRound(publisher[0], prefix, rooms, 1, body, inFlight);
    long heapOne = heapAfterGc();
    publishRound(publisher[0], prefix, rooms, messages - 1, body, inFlight);
    long heapFull = heapAfterGc();
    String expired = "";
    if (expireWait > 0) {
      progress.show("waiting for expiry", () -> expireWait + " s");
      Thread.sleep(expireWait * 1000L);
      long heapExpired = heapAfterGc();
      expired = " heap_expired=" + IdleScenario.mb(heapExpired)
          + " per_room_expired=" + bytes(heapExpired - heapEmpty, rooms);
    }
    closeAll(publisher);
    long further = (long) rooms * (messages - 1);
    return "history rooms=" + rooms + " messages_per_room=" + messages + " body_bytes=" + bodyBytes
        + " " + publishCounts() + " heap_before=" + IdleScenario.mb(heapEmpty)
        + " heap_one_per_room=" + IdleScenario.mb(heapOne) + " per_room=" + bytes(heapOne - heapEmpty, rooms)
        + " heap_full=" + IdleScenario.mb(heapFull)
        + " per_further_message=" + (further > 0 ? bytes(heapFull - heapOne, further) : "-")
        + expired + " " + errorSummary();
  }

  /** The publisher has joined no room: nothing is delivered to it. */
  @Override
  public void onRoomMessage(WsConnection connection, int roomNumber, long seq, long sentNanos, long receivedNanos) {
  }

  /** Publishes {@code perRoom} messages to each room, room by room in turn, keeping at most inFlight unanswered. */
  private void publishRound(WsConnection publisher, String prefix, int rooms, int perRoom, String body, int inFlight)
      throws InterruptedException {
    for (int round = 0; round < perRoom; round++) {
      for (int room = 0; room < rooms; room++) {
        while (sent.sum() - answered() >= inFlight) {
          Thread.sleep(1);
        }
        // without an id: a de-duplication record per publish would be counted as history
        publisher.fireWithoutId("publish", "\"room\":\"" + prefix + room + "\"" + body);
        sent.increment();
      }
    }
    while (answered() < sent.sum() && publisher.isOpen()) {
      Thread.sleep(10);
    }
  }

  private long answered() {
    return acked.sum() + errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** The heap in use on every node after a full GC, summed; a node that cannot be asked for a GC ends the run. */
  private long heapAfterGc() {
    if (probes.stream().anyMatch(probe -> !probe.forceGc())) {
      throw new IllegalStateException("history needs --node-pid for every --url: the heap is read after a full GC");
    }
    return probes.stream().mapToLong(NodeProbe::heapUsedBytes).sum();
  }

  private static String bytes(long total, long count) {
    return String.format("%.0fB", (double) total / count);
  }
}
