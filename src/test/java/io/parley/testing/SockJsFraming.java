package io.parley.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/** The client side of the SockJS wire format, as vertx-web's SockJSHandler speaks it. */
final class SockJsFraming {

  private SockJsFraming() {
  }

  enum Kind { OPEN, HEARTBEAT, MESSAGES, CLOSE, UNKNOWN }

  /** One server frame: {@code o}, {@code h}, {@code a[...]}, {@code c[code,"reason"]}, or something else. */
  record Frame(Kind kind, List<String> messages, int code, String reason) {

    static Frame of(Kind kind) {
      return new Frame(kind, List.of(), 0, null);
    }
  }

  /** {@code prefix/{3-digit server id}/{uuid session id}}: the base URI of a fresh session. */
  static String newSessionPath(String prefix) {
    String base = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    String server = String.format("%03d", ThreadLocalRandom.current().nextInt(1000));
    return base + "/" + server + "/" + UUID.randomUUID();
  }

  /** A client message travels as a JSON array of strings; we always send one message per array. */
  static String encode(String message) {
    return new JsonArray().add(message).encode();
  }

  static Frame parse(String raw) {
    if (raw.equals("o")) {
      return Frame.of(Kind.OPEN);
    }
    // xhr_streaming opens each response with a prelude of 2048 'h': treat it like a heartbeat.
    if (!raw.isEmpty() && raw.chars().allMatch(c -> c == 'h')) {
      return Frame.of(Kind.HEARTBEAT);
    }
    try {
      if (raw.startsWith("a[")) {
        List<String> messages = new ArrayList<>();
        new JsonArray(raw.substring(1)).forEach(m -> messages.add(String.valueOf(m)));
        return new Frame(Kind.MESSAGES, messages, 0, null);
      }
      if (raw.startsWith("c[")) {
        JsonArray close = new JsonArray(raw.substring(1));
        return new Frame(Kind.CLOSE, List.of(), close.getInteger(0), close.getString(1));
      }
    } catch (RuntimeException malformed) {
      // fall through: reported to the test as an unknown frame rather than dropped
    }
    return new Frame(Kind.UNKNOWN, List.of(raw), 0, null);
  }

  /**
   * The frames of an EventSource stream, one per {@code data: } line ({@code \r\n}-terminated, each followed by an
   * empty line); the stream's other lines are the protocol's, not the session's.
   */
  static Consumer<String> eventSourceData(Consumer<String> frames) {
    return line -> {
      String unterminated = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (unterminated.startsWith("data: ")) {
        frames.accept(unterminated.substring("data: ".length()));
      }
    };
  }

  /**
   * Cuts an HTTP response stream into '\n'-terminated frames. HTTP chunks can end anywhere, even inside a
   * multi-byte character, so bytes are kept until a full line is there; '\n' never occurs inside a frame
   * because the JSON encoding escapes it.
   */
  static final class LineSplitter {
    private Buffer pending = Buffer.buffer();
    private int scanned; // bytes of pending already known to hold no '\n' (large frames span many chunks)

    void feed(Buffer chunk, Consumer<String> frames) {
      pending.appendBuffer(chunk);
      int start = 0;
      for (int i = scanned; i < pending.length(); i++) {
        if (pending.getByte(i) == '\n') {
          frames.accept(pending.getString(start, i, StandardCharsets.UTF_8.name()));
          start = i + 1;
        }
      }
      pending = pending.getBuffer(start, pending.length());
      scanned = pending.length();
    }

    /** A frame the server did not terminate before ending the response. */
    void flush(Consumer<String> frames) {
      if (pending.length() > 0) {
        frames.accept(pending.toString(StandardCharsets.UTF_8));
        pending = Buffer.buffer();
        scanned = 0;
      }
    }
  }
}
