package io.parley.transport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.parley.ParleyNode;
import io.parley.testing.Http;
import io.parley.testing.SilentWebSocket;
import io.parley.testing.TestClient;
import io.parley.testing.TestClient.Transport;
import io.parley.testing.Poll;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Throws well over 10,000 random and malformed frames at a node from many connections, while a well-behaved
 * client listens to a room that keeps receiving messages: the node must stay ready, the listener must get every
 * message, no connection may leak, and no exception may escape (nothing logged at ERROR).
 */
@ExtendWith(VertxExtension.class)
class FuzzTest {

  private static final int MAX_FRAME = 4096;
  private static final int FUZZERS = 8;
  private static final int FRAMES_PER_FUZZER = 1_300;
  private static final Duration WAIT = Duration.ofSeconds(15);

  private Vertx vertx;
  private ParleyNode node;
  private final ListAppender<ILoggingEvent> errors = new ListAppender<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(config -> config.getJsonObject("limits").put("maxFrameBytes", MAX_FRAME));
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    errors.addFilter(new ch.qos.logback.core.filter.Filter<>() {
      @Override
      public ch.qos.logback.core.spi.FilterReply decide(ILoggingEvent event) {
        return event.getLevel().isGreaterOrEqual(Level.ERROR)
            ? ch.qos.logback.core.spi.FilterReply.NEUTRAL : ch.qos.logback.core.spi.FilterReply.DENY;
      }
    });
    reportEarlierLeaks();
    errors.start();
    root.addAppender(errors);
  }

  /**
   * Netty reports a leaked buffer when a later allocation finds it collected, so garbage left by earlier tests in
   * this JVM (their clients) would be reported during this one and blamed on it. Collect and allocate first: what
   * is reported after that was leaked while this test ran.
   */
  private static void reportEarlierLeaks() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      for (int i = 0; i < 1000; i++) {
        io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(16).release();
      }
    }
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(errors);
    TestNodes.stop(node);
    vertx.close();
  }

  @Test
  @DisplayName("10,000+ malformed frames from many connections: node ready, listener gets everything, no leak")
  void survivesFuzzing() throws Exception {
    String room = "fuzz-room";
    int published = 200;
    AtomicInteger framesSent = new AtomicInteger();
    try (TestClient listener = authenticated(vertx, node, "listener");
         TestClient publisher = authenticated(vertx, node, "publisher")) {
      join(listener, room);
      join(publisher, room);
      List<CompletableFuture<Void>> fuzzers = IntStream.range(0, FUZZERS)
          .mapToObj(i -> CompletableFuture.runAsync(() -> fuzz(new Random(1000L + i), framesSent)))
          .toList();
      for (int i = 0; i < published; i++) {
        publisher.send(new JsonObject().put("type", "publish").put("room", room).put("body", i).put("id", "ok" + i));
        Thread.sleep(5);
      }
      CompletableFuture.allOf(fuzzers.toArray(CompletableFuture[]::new)).get();
      for (long seq = 1; seq <= published; seq++) {
        assertEquals(seq, listener.next(f -> isMessage(f, room), WAIT).getLong("seq"));
      }
      System.out.printf("fuzz: %d malformed frames sent%n", framesSent.get());
      assertTrue(framesSent.get() >= 10_000, "sent " + framesSent.get());
      assertEquals(200, Http.get(vertx, node.port(), "/ready").status());
      awaitConnections(2);
    }
    assertEquals(List.of(), errors.list.stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()
        + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName())).toList(),
        "nothing escaped to an ERROR log");
  }

  /** One fuzzer: connects (over varying transports), throws frames, reconnects whenever the node closes it. */
  private void fuzz(Random random, AtomicInteger framesSent) {
    int sent = 0;
    while (sent < FRAMES_PER_FUZZER) {
      int kind = random.nextInt(10);
      if (kind < 2) {
        sent += rawFrames(random);
      } else {
        sent += textFrames(random, kind < 6 ? Transport.WEBSOCKET : Transport.SOCKJS_WEBSOCKET);
      }
    }
    framesSent.addAndGet(sent);
  }

  private int textFrames(Random random, Transport transport) {
    int sent = 0;
    try (TestClient client = random.nextBoolean() ? authenticated(vertx, node, "fuzzer" + random.nextInt(50), transport)
        : TestClient.connect(vertx, transport, node.port())) {
      for (int i = 0; i < 60 && !client.isClosed(); i++) {
        if (transport == Transport.WEBSOCKET && random.nextInt(10) == 0) {
          byte[] bytes = new byte[random.nextInt(200)];
          random.nextBytes(bytes);
          client.sendBinary(Buffer.buffer(bytes));
        } else {
          client.sendText(GARBAGE.get(random.nextInt(GARBAGE.size())).apply(random));
        }
        sent++;
      }
    } catch (IllegalStateException | AssertionError closedUnderUs) {
      // the node closed this connection (4008, 4009, ...): that is its right; start another
    }
    return sent;
  }

  /** Frames no library would send: invalid UTF-8 in text, reserved opcodes, stray continuations, big pings. */
  private int rawFrames(Random random) {
    try (SilentWebSocket raw = SilentWebSocket.connect(vertx, node.port(), "/ws")) {
      byte[][] payloads = {
          {(byte) 0xC3, 0x28}, {(byte) 0xFF, (byte) 0xFE, 0x00}, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8),
          new byte[200], {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
      int[] opcodes = {0x1, 0x1, 0x0, 0x3, 0x9, 0xB, 0x2};
      for (int i = 0; i < 20; i++) {
        raw.sendRawFrame(opcodes[random.nextInt(opcodes.length)], random.nextInt(5) > 0,
            payloads[random.nextInt(payloads.length)]);
      }
      return 20;
    }
  }

  private static final List<Function<Random, String>> GARBAGE = List.of(
      r -> "{\"type\":\"join\",\"room\":\"x\"".substring(0, r.nextInt(24)),
      r -> "[".repeat(r.nextInt(5000) + 1),
      r -> "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
      r -> "{\"type\":\"join\",\"room\":\"big\",\"since\":1" + "0".repeat(r.nextInt(2000)) + "}",
      r -> "{\"type\":\"history\",\"room\":\"r\",\"since\":1e400,\"limit\":-9}",
      r -> "{\"type\":123,\"id\":[1,2]}",
      r -> "{\"type\":\"publish\",\"room\":[],\"body\":1}",
      r -> "{\"type\":\"publish\",\"room\":\"fuzz-room\"}",
      r -> "{\"type\":\"join\",\"room\":null,\"id\":\"" + "i".repeat(r.nextInt(100)) + "\"}",
      r -> "{\"type\":\"leave\",\"room\":\"" + "é".repeat(r.nextInt(200)) + "\"}",
      r -> "{\"type\":\"" + randomAscii(r, 40) + "\"}",
      r -> "{\"type\":\"auth\",\"token\":\"" + randomAscii(r, 300) + "\"}",
      r -> "{\"type\":\"send\",\"to\":\"\",\"body\":{}}",
      r -> randomAscii(r, r.nextInt(500)),
      r -> "{\"type\":\"publish\",\"room\":\"fuzz-other\",\"body\":\"" + "z".repeat(MAX_FRAME) + "\"}",
      r -> "\u0000\uFFFF\uD800",
      r -> "{\"type\":\"ping\",\"id\":" + r.nextLong() + "}");

  private static String randomAscii(Random random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) (random.nextInt(95) + 32));
    }
    return text.toString();
  }

  private void awaitConnections(int expected) {
    Poll.until(() -> node.connections() == expected, Duration.ofSeconds(20));
    assertEquals(expected, node.connections(), "every fuzzing connection was released");
  }
}
