package io.parley.browser;

import io.parley.testing.SingleNode;
import io.parley.testing.TestNodes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The real sockjs-client (npm, pinned in {@code src/test/js/package.json}) in Node against a real node, on each SockJS
 * transport a Node process can use: {@code sockjs-transports.mjs}.
 */
class SockJsClientTest {

  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);

  @RegisterExtension
  static final SingleNode NODE = new SingleNode();

  @BeforeAll
  static void node() {
    NodeScript.prepare();
  }

  private static String url() {
    return "http://127.0.0.1:" + NODE.port();
  }

  /**
   * The "socket hang up": Node's global agent keeps connections alive, and a later request reused a
   * connection the node had closed after a polling response without announcing it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"xhr-polling", "xhr-streaming", "eventsource", "websocket"})
  @DisplayName("sessions one after the other from one Node process, reusing kept-alive connections, all go through")
  void sessionsReuseConnections(String transport) {
    NodeScript.Result result = NodeScript.run(NodeScript.node("sockjs-transports.mjs", "sessions", url(), transport,
        TestNodes.token(NODE.vertx(), "node-" + transport), "8"), SCRIPT_TIMEOUT, line -> { });
    assertEquals("8", result.result("sessions_ok").orElse(null), result.output());
    assertEquals(0, result.exitCode(), result.output());
  }
}
