package io.parley.gatling;

import java.util.List;

/** {@code /ws}: one protocol frame per WebSocket text frame, unwrapped. */
final class RawWire implements Wire {

  @Override
  public String encode(String protocolFrame) {
    return protocolFrame;
  }

  @Override
  public List<String> decode(String textFrame) {
    return List.of(textFrame);
  }
}
