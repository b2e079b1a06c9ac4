package io.parley.protocol;

import java.nio.charset.StandardCharsets;

/**
 * One push frame handed to many receivers: its text, and its UTF-8 bytes encoded once, on first use, for every
 * WebSocket receiver (rather than once per receiver). Confined to one event loop, like the receivers it serves.
 */
public final class SharedFrame {

  private final String text;
  private byte[] utf8;

  public SharedFrame(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  public byte[] utf8() {
    if (utf8 == null) {
      utf8 = text.getBytes(StandardCharsets.UTF_8);
    }
    return utf8;
  }
}
