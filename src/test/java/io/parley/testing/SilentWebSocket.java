package io.parley.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket peer that completes the handshake by hand and then never answers anything — not even pings,
 * which every real client library answers by itself. Records the raw bytes the server sends.
 */
public final class SilentWebSocket implements AutoCloseable {

  private final NetClient client;
  private final NetSocket socket;
  private final Buffer received = Buffer.buffer();
  private volatile boolean closed;

  private SilentWebSocket(NetClient client, NetSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.handler(data -> {
      synchronized (received) {
        received.appendBuffer(data);
      }
    });
    socket.closeHandler(v -> closed = true);
  }

  public static SilentWebSocket connect(Vertx vertx, int port, String pathAndQuery) {
    return open(vertx, port, upgradeRequest(port, pathAndQuery, "13"));
  }

  /** A WebSocket upgrade request, by hand, with the given {@code Sec-WebSocket-Version}. */
  public static String upgradeRequest(int port, String pathAndQuery, String version) {
    String key = Base64.getEncoder().encodeToString("parley-silent-key".getBytes(StandardCharsets.UTF_8)).substring(0, 22) + "==";
    return "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version + "\r\n\r\n";
  }

  /** Connects and sends {@code rawRequest} (one or more HTTP requests) as it is. */
  public static SilentWebSocket open(Vertx vertx, int port, String rawRequest) {
    return open(vertx, port, Buffer.buffer(rawRequest));
  }

  /** Connects and sends {@code raw} in one write: requests, and frames too if a test needs them early. */
  public static SilentWebSocket open(Vertx vertx, int port, Buffer raw) {
    return open(vertx, new NetClientOptions(), port, raw);
  }

  /**
   * As {@link #connect(Vertx, int, String)}, with a fixed TCP receive buffer (no autotuning): a paused reader then
   * makes the server queue after a few kilobytes, not after the tens of megabytes a loopback buffer can grow to.
   */
  public static SilentWebSocket connect(Vertx vertx, int port, String pathAndQuery, int receiveBufferBytes) {
    return open(vertx, new NetClientOptions().setReceiveBufferSize(receiveBufferBytes), port,
        Buffer.buffer(upgradeRequest(port, pathAndQuery, "13")));
  }

  private static SilentWebSocket open(Vertx vertx, NetClientOptions options, int port, Buffer raw) {
    NetClient client = vertx.createNetClient(options);
    NetSocket socket = TestNodes.await(client.connect(port, "127.0.0.1"), Duration.ofSeconds(5));
    SilentWebSocket silent = new SilentWebSocket(client, socket);
    socket.write(raw);
    return silent;
  }

  /**
   * Sends one raw client frame (masked, as RFC 6455 requires of clients), whatever its opcode or payload:
   * for fuzzing with what no well-behaved library would send, such as invalid UTF-8 in a text frame.
   */
  public void sendRawFrame(int opcode, boolean fin, byte[] payload) {
    socket.write(rawFrame(opcode, fin, payload));
  }

  /** Sends bytes as they are: part of a frame, say, to send the rest later. */
  public void sendRaw(Buffer bytes) {
    socket.write(bytes);
  }

  /** One client frame, masked as RFC 6455 requires of clients. */
  public static Buffer rawFrame(int opcode, boolean fin, byte[] payload) {
    Buffer frame = Buffer.buffer();
    frame.appendByte((byte) ((fin ? 0x80 : 0) | (opcode & 0x0F)));
    if (payload.length < 126) {
      frame.appendByte((byte) (0x80 | payload.length));
    } else if (payload.length <= 0xFFFF) {
      frame.appendByte((byte) (0x80 | 126)).appendUnsignedShort(payload.length);
    } else {
      frame.appendByte((byte) (0x80 | 127)).appendLong(payload.length);
    }
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    frame.appendBytes(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame.appendBytes(masked);
  }

  /** Stops reading from the socket: what the server sends waits in the TCP buffers, then in the server's queue. */
  public void pauseReading() {
    socket.pause();
  }

  public void resumeReading() {
    socket.resume();
  }

  public boolean isClosedByServer() {
    return closed;
  }

  /** Everything received so far, as raw bytes (the 101 response, then WebSocket frames). */
  public Buffer received() {
    synchronized (received) {
      return received.copy();
    }
  }

  /** Counts server frames of the given opcode (0x9 ping, 0x8 close) after the handshake response. */
  public int countFrames(int opcode) {
    return frames(opcode, false);
  }

  /** The status code of the server's close frame, or -1 if none arrived. */
  public int closeCode() {
    return frames(0x8, true);
  }

  private int frames(int opcode, boolean wantCloseCode) {
    Buffer data = received();
    String text = data.toString(StandardCharsets.ISO_8859_1);
    int pos = text.indexOf("\r\n\r\n");
    if (pos < 0) {
      return wantCloseCode ? -1 : 0;
    }
    pos += 4;
    int count = 0;
    while (pos + 2 <= data.length()) {
      int op = data.getByte(pos) & 0x0F;
      int length = data.getByte(pos + 1) & 0x7F; // server frames are unmasked; parley's control frames are short
      if (length >= 126 || pos + 2 + length > data.length()) {
        break;
      }
      if (op == opcode) {
        if (wantCloseCode) {
          return length >= 2 ? data.getUnsignedShort(pos + 2) : -1;
        }
        count++;
      }
      pos += 2 + length;
    }
    return wantCloseCode ? -1 : count;
  }

  /** Waits until the bytes received, read as ISO-8859-1, contain {@code text}; false if they never do. */
  public boolean awaitReceived(String text, Duration timeout) {
    return Poll.until(() -> received().toString(StandardCharsets.ISO_8859_1).contains(text), timeout);
  }

  public String handshakeStatusLine() {
    String text = received().toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n");
    return end < 0 ? text : text.substring(0, end);
  }

  @Override
  public void close() {
    socket.close();
    client.close();
  }
}
