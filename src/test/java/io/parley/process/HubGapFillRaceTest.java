package io.parley.process;

import io.parley.ParleyNode;
import io.parley.cluster.RoomBus;
import io.parley.cluster.RoomHistory;
import io.parley.testing.PartitionStall;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.StoredMessages.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Found by {@link CrashRecoveryTest} under load, reproduced here without a crash on one in-process node: a gap
 * fill from history that completes after live messages have moved the room on must not skip a newer gap it
 * never fetched (it used to: the member got 1, 2, 4 and never 3, though 3 was in history and arrived live).
 * The history read is held up by occupying the Hazelcast partition thread that owns the room, as on a busy
 * cluster; the frames go into the real cluster history and, local-only, onto the real event bus.
 */
class HubGapFillRaceTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private Vertx vertx;
  private ParleyNode node;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(config -> {
    });
  }

  @AfterEach
  void stop() {
    TestNodes.stop(node);
    TestNodes.await(vertx.close(), WAIT);
  }

  @Test
  @DisplayName("a slow gap fill that completes after live messages arrived does not skip a seq it never fetched")
  void staleGapFillSkipsNothing() throws InterruptedException {
    String room = "gap-race";
    try (TestClient client = authenticated(vertx, node, "watcher")) {
      join(client, room);
      List<String> frames = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        frames.add(store(node, room, "m" + i));
      }
      PartitionStall stall = stallHistory(room);
      try {
        busPublish(room, 2, frames.get(1)); // seq 1 is late: after 200 ms the hub fetches 1..1, and waits
        Thread.sleep(400);
        busPublish(room, 1, frames.get(0)); // seq 1 arrives after all: 1 and 2 go out, the hub waits for 3
        busPublish(room, 4, frames.get(3)); // 4 is held back until 3 arrives or is fetched (in 200 ms)
        Thread.sleep(30);
      } finally {
        stall.close(); // the fetch of 1..1 completes now, while the hub waits for 3
      }
      Thread.sleep(50);
      busPublish(room, 3, frames.get(2)); // 3 arrives late, as a message from a busy node does
      List<Long> received = new ArrayList<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (received.size() < 4 && System.nanoTime() < deadline) {
        try {
          received.add(client.next(f -> isMessage(f, room), Duration.ofMillis(200)).getLong("seq"));
        } catch (AssertionError none) {
          // keep waiting until the deadline
        }
      }
      // with the bug: [1, 2, 4], and 3 (in history, and arriving live) is never delivered
      assertEquals(List.of(1L, 2L, 3L, 4L), received, "seqs delivered to the member");
    }
  }

  /** Holds the room's partition thread; checks that a history read of the room now waits. */
  private PartitionStall stallHistory(String room) throws InterruptedException {
    PartitionStall stall = PartitionStall.hold(node.hazelcast(), RoomHistory.MAP_NAME, room);
    CompletableFuture<Object> probe = node.hazelcast().getMap(RoomHistory.MAP_NAME).getAsync(room).toCompletableFuture();
    Thread.sleep(100);
    assertFalse(probe.isDone(), "the room's partition still answers: the history read would not wait");
    return stall;
  }

  private void busPublish(String room, long seq, String frame) {
    node.vertx().eventBus().publish(RoomBus.address(room), frame,
        new DeliveryOptions().addHeader(RoomBus.SEQ_HEADER, Long.toString(seq)).setLocalOnly(true));
  }
}
