package io.parley.browser;

import io.parley.ParleyNode;
import io.parley.testing.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * parley's browser side in a real browser: Debian's headless Chromium, driven by the playwright-core scripts in
 * {@code src/test/js}, against a real two-node cluster in this JVM. Screenshots go to {@code target/browser/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserTest {

  private static final Path OUT = Path.of("target", "browser").toAbsolutePath();
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);

  private final List<ParleyNode> nodes = new ArrayList<>();

  @BeforeAll
  void startCluster() {
    NodeScript.prepare();
    nodes.addAll(DemoCluster.start(2));
  }

  @AfterAll
  void stopCluster() {
    nodes.forEach(TestNodes::stop);
  }

  @Test
  @Order(1)
  @DisplayName("parley.js: auth first, re-join with since, ordered recovery without duplicates, publish re-sent with"
      + " its id; protocol 1.1 (epochs, reset, user streams, ack) against a mini 1.1 node over real sockets")
  void clientLogic() {
    NodeScript.Result result = NodeScript.run(
        NodeScript.node("--test", "client-unit.test.mjs", "client-v11.test.mjs"), SCRIPT_TIMEOUT, line -> { });
    assertEquals(0, result.exitCode(), "client unit tests failed:\n" + result.output());
  }

  @Test
  @Order(2)
  @DisplayName("private messages between pages on two nodes, to the sender's other session, and from the mailbox")
  void privateMessages() {
    NodeScript.requireChromium();
    NodeScript.Result result = NodeScript.run(
        List.of("node", "dm.e2e.mjs", nodes.get(0).url(), nodes.get(1).url(), OUT.toString()), SCRIPT_TIMEOUT,
        line -> { });
    assertEquals(0, result.exitCode(), "dm.e2e.mjs failed:\n" + result.output());
    assertEquals("ok", result.result("private_messages").orElse(null), result.output());
  }

  @Test
  @Order(3)
  @DisplayName("two pages on two nodes: messages and presence cross; a page whose node closes recovers on the other")
  void chatAcrossNodesSurvivesTheLossOfANode() {
    NodeScript.requireChromium();
    ParleyNode doomed = nodes.get(0);
    AtomicLong closeMs = new AtomicLong(-1);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    NodeScript.Result result = NodeScript.run(
        List.of("node", "chat.e2e.mjs", doomed.url(), nodes.get(1).url(), OUT.toString()), SCRIPT_TIMEOUT,
        line -> {
          if (line.equals("PARLEY-CLOSE-NODE 0")) {
            // off the reader thread, so the script's output keeps flowing while the node shuts down
            CompletableFuture.runAsync(() -> {
              long start = System.nanoTime();
              TestNodes.await(doomed.close(), Duration.ofSeconds(30));
              closeMs.set((System.nanoTime() - start) / 1_000_000);
            }).whenComplete((v, e) -> closed.complete(null));
          }
        });
    closed.completeOnTimeout(null, 30, java.util.concurrent.TimeUnit.SECONDS).join();
    nodes.remove(doomed);
    assertEquals(0, result.exitCode(), "chat.e2e.mjs failed:\n" + result.output());
    int recovered = Integer.parseInt(result.result("recovered").orElseThrow());
    long reconnectMs = Long.parseLong(result.result("reconnect_ms").orElseThrow());
    assertTrue(recovered > 0, "the reconnected page recovered messages from history");
    assertEquals("0", result.result("duplicates").orElseThrow());
    System.out.printf("browser reconnect: %d ms from the lost link to connected again on %s; %d message(s) recovered"
            + " from history, %s live after the reconnect; node close took %d ms; screenshot %s%n",
        reconnectMs, nodes.get(0).url(), recovered, result.result("live_after_reconnect").orElse("?"), closeMs.get(),
        OUT.resolve("chat.png"));
  }

  /**
   * The demo on protocol 1.1, against the mini 1.1 node that {@code restart.e2e.mjs} starts itself (this branch's
   * node speaks version 1). Once the Java node speaks 1.1, run the script with the cluster's URLs instead: it then
   * prints {@code PARLEY-RESTART-CLUSTER} when every node must be stopped and started again at the same URLs.
   */
  @Test
  @Order(4)
  @DisplayName("the demo on protocol 1.1: a conversation back from history after a reload; the lobby across a restart")
  void demoAcrossARestartOfA11Node() {
    NodeScript.requireChromium();
    NodeScript.Result result = NodeScript.run(List.of("node", "restart.e2e.mjs", OUT.toString()), SCRIPT_TIMEOUT,
        line -> { });
    assertEquals(0, result.exitCode(), "restart.e2e.mjs failed:\n" + result.output());
    assertEquals("ok", result.result("restart").orElse(null), result.output());
  }
}
