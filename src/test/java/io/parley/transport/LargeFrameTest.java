package io.parley.transport;

import io.parley.testing.Poll;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.parley.testing.Sessions.authenticated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md 1.1's 4009 with the default {@code limits.maxFrameBytes} (64 KiB): decided from the frame header,
 * then the client's bytes are read and discarded until its close frame, so a client in the middle of sending a
 * 1 MiB frame receives the close code, not a reset (1006).
 */
@ExtendWith(VertxExtension.class)
class LargeFrameTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MIB = 1024 * 1024;

  @RegisterExtension
  static final SingleNode NODE = new SingleNode();

  private static String token(String user) {
    return TestNodes.token(NODE.vertx(), user);
  }

  @Test
  @DisplayName("a real client sending one 1 MiB frame receives close 4009")
  void oneMebibyteFrame() throws Exception {
    WebSocketClient client = NODE.vertx().createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(2 * MIB).setMaxMessageSize(2 * MIB).setClosingTimeout(5));
    try {
      CompletableFuture<Short> closed = new CompletableFuture<>();
      WebSocket ws = TestNodes.await(client.connect(new WebSocketConnectOptions().setPort(NODE.port())
          .setHost("127.0.0.1").setURI("/ws?token=" + token("big-sender"))), WAIT);
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
      ws.writeFinalTextFrame("x".repeat(MIB));
      assertEquals((short) 4009, closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "4009, not 1006");
    } finally {
      client.close();
    }
  }

  @Test
  @DisplayName("a 1 MiB message in 64 KiB fragments (TestClient's): 4009 when the fragments pass the limit")
  void fragmentedMessage() {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "fragments")) {
      client.sendText("y".repeat(MIB));
      assertEquals(4009, client.awaitClose(WAIT));
    }
  }

  @Test
  @DisplayName("raw 1 MiB frame: 4009 arrives; the client's close frame then ends the TCP connection at once")
  void rawFrameThenClientClose() {
    try (SilentWebSocket raw = SilentWebSocket.connect(NODE.vertx(), NODE.port(), "/ws?token=" + token("raw"))) {
      assertTrue(raw.awaitReceived("HTTP/1.1 101", WAIT));
      byte[] payload = new byte[MIB];
      Arrays.fill(payload, (byte) 'z');
      raw.sendRawFrame(0x1, true, payload);
      assertTrue(Poll.until(() -> raw.closeCode() == 4009, WAIT), "close 4009 received");
      long start = System.nanoTime();
      raw.sendRawFrame(0x8, true, new byte[]{0x0F, (byte) 0xA9}); // 4009 echoed
      assertTrue(Poll.until(raw::isClosedByServer, Duration.ofSeconds(2)), "closed on the client's close frame");
      assertTrue((System.nanoTime() - start) / 1_000_000 < FrameSizeGuard.DISCARD_MS, "before the discard timeout");
    }
  }

  @Test
  @DisplayName("decided from the header: 4009 arrives while the payload is still being sent; closed at the timeout")
  void headerAloneDecides() {
    try (SilentWebSocket raw = SilentWebSocket.connect(NODE.vertx(), NODE.port(), "/ws?token=" + token("slow-big"))) {
      assertTrue(raw.awaitReceived("HTTP/1.1 101", WAIT));
      Buffer frame = SilentWebSocket.rawFrame(0x1, true, new byte[MIB]);
      raw.sendRawFrame(0x1, true, "{\"type\":\"ping\",\"id\":\"before\"}".getBytes(StandardCharsets.UTF_8));
      assertTrue(raw.awaitReceived("before", WAIT), "frames before the large one are served");
      // the header (2 + 8 + 4 mask bytes) and 1 KiB of the payload, then nothing more for now
      raw.sendRaw(frame.slice(0, 14 + 1024));
      assertTrue(Poll.until(() -> raw.closeCode() == 4009, WAIT), "4009 before the payload arrived");
      for (int i = 0; i < 8; i++) { // the client goes on sending: read and discarded
        raw.sendRaw(frame.slice(14 + 1024 + i * 64 * 1024, 14 + 1024 + (i + 1) * 64 * 1024));
      }
      assertTrue(Poll.until(raw::isClosedByServer, Duration.ofMillis(FrameSizeGuard.DISCARD_MS + 3000)),
          "the TCP connection is closed once the discard time is over");
      assertEquals(4009, raw.closeCode());
    }
  }

  @Test
  @DisplayName("over SockJS's WebSocket transport, a frame between the limit and 4 times it: disconnect 4009")
  void sockJs() {
    try (TestClient client = authenticated(NODE.vertx(), NODE.node(), "sockjs-big", Transport.SOCKJS_WEBSOCKET)) {
      client.sendText("w".repeat(128 * 1024));
      assertEquals(4009, client.next(f -> "disconnect".equals(f.getString("type")), WAIT).getInteger("code"));
    }
    try (TestClient after = authenticated(NODE.vertx(), NODE.node(), "after")) {
      assertEquals("pong", after.request(new JsonObject().put("type", "ping")).getString("type"));
    }
  }
}
