package io.parley.transport;

import io.parley.testing.Http;
import io.parley.testing.Poll;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.SingleNode;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 6455 at the wire, as parley's own Netty handlers serve {@code /ws}: control frames, the close handshake,
 * UTF-8 validation, refused handshakes, an upgrade on a connection that first served a plain request, and no
 * cleartext HTTP/2.
 */
@ExtendWith(VertxExtension.class)
class WebSocketWireTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension
  static final SingleNode NODE = new SingleNode();

  @Test
  @DisplayName("a client ping is answered with a pong carrying its payload")
  void pingPong() {
    try (SilentWebSocket socket = SilentWebSocket.connect(NODE.vertx(), NODE.port(), "/ws?token=" + token("pinger"))) {
      assertTrue(socket.awaitReceived("101", WAIT));
      socket.sendRawFrame(0x9, true, "are-you-there".getBytes(StandardCharsets.US_ASCII));
      assertTrue(socket.awaitReceived("are-you-there", WAIT), "pong payload echoed");
      assertEquals(1, socket.countFrames(0xA));
    }
  }

  @Test
  @DisplayName("a client's close is answered with the same code, and the session and socket are released")
  void clientClose() {
    awaitConnections(0); // the other tests' connections are gone
    try (SilentWebSocket socket = SilentWebSocket.connect(NODE.vertx(), NODE.port(), "/ws?token=" + token("leaver"))) {
      assertTrue(socket.awaitReceived("101", WAIT));
      awaitConnections(1);
      socket.sendRawFrame(0x8, true, new byte[]{0x0F, (byte) 0xA0}); // 4000
      awaitClosed(socket);
      assertEquals(4000, socket.closeCode());
      awaitConnections(0);
    }
  }

  @Test
  @DisplayName("invalid UTF-8 in a text frame fails the connection with 1007")
  void invalidUtf8() {
    try (SilentWebSocket socket = SilentWebSocket.connect(NODE.vertx(), NODE.port(), "/ws?token=" + token("garbler"))) {
      assertTrue(socket.awaitReceived("101", WAIT));
      socket.sendRawFrame(0x1, true, new byte[]{(byte) 0xC3, 0x28});
      awaitClosed(socket);
      assertEquals(1007, socket.closeCode());
    }
  }

  @Test
  @DisplayName("a plain GET /ws is a 400, an unsupported WebSocket version a 426 naming version 13")
  void refusedHandshakes() {
    assertEquals(400, Http.get(NODE.vertx(), NODE.port(), "/ws").status());
    String oldVersion = SilentWebSocket.upgradeRequest(NODE.port(), "/ws", "99");
    try (SilentWebSocket socket = SilentWebSocket.open(NODE.vertx(), NODE.port(), oldVersion)) {
      assertTrue(socket.awaitReceived("426", WAIT), socket.handshakeStatusLine());
      assertTrue(socket.awaitReceived("13", WAIT));
    }
  }

  @Test
  @DisplayName("a keep-alive connection that served GET /health can then upgrade to a working WebSocket")
  void upgradeAfterPlainRequest() {
    String requests = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + NODE.port() + "\r\n\r\n"
        + SilentWebSocket.upgradeRequest(NODE.port(), "/ws?token=" + token("reuser"), "13");
    try (SilentWebSocket socket = SilentWebSocket.open(NODE.vertx(), NODE.port(), requests)) {
      assertTrue(socket.awaitReceived("HTTP/1.1 200", WAIT), "the plain request was served first");
      assertTrue(socket.awaitReceived("HTTP/1.1 101", WAIT), "then the upgrade");
      socket.sendRawFrame(0x1, true, "{\"type\":\"ping\",\"id\":\"p1\"}".getBytes(StandardCharsets.UTF_8));
      assertTrue(socket.awaitReceived("\"pong\"", WAIT), "the upgraded connection serves the protocol");
    }
  }

  @Test
  @DisplayName("cleartext HTTP/2 is off: an h2c upgrade is answered in HTTP/1.1, without a 101")
  void noCleartextHttp2() {
    String h2cUpgrade = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + NODE.port() + "\r\n"
        + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n";
    try (SilentWebSocket socket = SilentWebSocket.open(NODE.vertx(), NODE.port(), h2cUpgrade)) {
      // with h2c on, Vert.x answers "101 Switching Protocols" and then the response as HTTP/2 frames
      assertTrue(socket.awaitReceived("HTTP/1.1 200", WAIT), "answered: " + socket.handshakeStatusLine());
    }
  }

  @Test
  @DisplayName("frames sent before the 101 (RFC 6455 forbids it) are dropped, and the connection then works")
  void framesBeforeTheHandshakeResponse() {
    byte[] early = "{\"type\":\"ping\",\"id\":\"too-early\"}".getBytes(StandardCharsets.UTF_8);
    Buffer eager = Buffer.buffer(SilentWebSocket.upgradeRequest(NODE.port(), "/ws?token=" + token("eager"), "13"))
        .appendBuffer(SilentWebSocket.rawFrame(0x1, true, early)); // in the same write as the upgrade
    try (SilentWebSocket socket = SilentWebSocket.open(NODE.vertx(), NODE.port(), eager)) {
      assertTrue(socket.awaitReceived("HTTP/1.1 101", WAIT));
      socket.sendRawFrame(0x1, true, "{\"type\":\"ping\",\"id\":\"in-time\"}".getBytes(StandardCharsets.UTF_8));
      assertTrue(socket.awaitReceived("in-time", WAIT), "the connection serves the protocol");
      assertFalse(socket.awaitReceived("too-early", Duration.ofMillis(200)), "the early frame was dropped");
    }
  }

  private static String token(String user) {
    return TestNodes.token(NODE.vertx(), user);
  }

  private static void awaitClosed(SilentWebSocket socket) {
    assertTrue(Poll.until(socket::isClosedByServer, WAIT), "the server closed the connection");
  }

  private static void awaitConnections(int expected) {
    Poll.until(() -> NODE.node().connections() == expected, WAIT);
    assertEquals(expected, NODE.node().connections());
  }
}
