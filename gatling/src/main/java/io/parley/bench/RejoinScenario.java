package io.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code rejoin}: recovery after a restart. One user connects and joins {@code --rooms} rooms named
 * {@code --room-prefix} + 0, 1, ... one after another, each with {@code since} ({@code --since}, default 0), as a
 * client that reconnects does; each join is timed from send to its {@code ok}, which the node sends after the
 * recovered messages. The summary gives the first join's time (the first read of the store after a start),
 * the others' p50 and max, and the messages recovered per join.
 */
final class RejoinScenario extends Scenario {

  private final LongAdder recovered = new LongAdder();

  RejoinScenario(BenchOptions options) {
    super(options);
  }

  @Override
  String run() throws Exception {
    String prefix = options.string("room-prefix", null);
    if (prefix == null) {
      throw new IllegalArgumentException("rejoin needs --room-prefix (e.g. the room_prefix of a publish --per-room run)");
    }
    int rooms = options.integer("rooms", 10);
    long since = options.integer("since", 0);
    WsConnection[] user = new WsConnection[1];
    Opener opener = new Opener(client, this, 1);
    long connectStart = System.nanoTime();
    opener.openAll(Opener.plans(1, i -> Opener.Plan.of(0, urls.get(0), 0, tokens.mint("rejoin-" + runId), List.of())),
        user).get();
    long connectNanos = System.nanoTime() - connectStart;
    if (user[0] == null) {
      throw new IllegalStateException("could not connect: " + opener.firstFailure.get());
    }
    progress.show("joining", () -> "recovered=" + recovered.sum() + " " + errorSummary());
    List<Double> millis = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    for (int r = 0; r < rooms; r++) {
      long before = recovered.sum();
      long start = System.nanoTime();
      user[0].request("join", "\"room\":\"" + prefix + r + "\",\"since\":" + since).get(60, TimeUnit.SECONDS);
      millis.add((System.nanoTime() - start) / 1e6);
      counts.add(recovered.sum() - before);
    }
    closeAll(user);
    List<Double> rest = new ArrayList<>(millis.subList(1, millis.size()));
    rest.sort(null);
    return "rejoin rooms=" + rooms + " since=" + since + String.format(" connect_auth=%.1fms", connectNanos / 1e6)
        + String.format(" first_join=%.1fms", millis.get(0)) + " first_recovered=" + counts.get(0)
        + (rest.isEmpty() ? "" : String.format(" other_joins_p50=%.1fms other_joins_max=%.1fms",
            rest.get(rest.size() / 2), rest.get(rest.size() - 1)))
        + " recovered_per_join=" + counts + " " + errorSummary();
  }

  @Override
  public void onRoomMessage(WsConnection connection, int roomNumber, long seq, long sentNanos, long receivedNanos) {
    recovered.increment();
  }
}
