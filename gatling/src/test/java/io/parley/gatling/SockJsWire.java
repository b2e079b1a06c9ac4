package io.parley.gatling;

import java.util.List;

/**
 * SockJS's websocket transport: the server sends {@code o} (open), {@code h} (heartbeat),
 * {@code a["json",...]} (a batch of messages, each a JSON-encoded string) and {@code c[code,"reason"]};
 * the client sends {@code ["json",...]}.
 */
final class SockJsWire implements Wire {

  @Override
  public String encode(String protocolFrame) {
    return "[" + JsonStrings.quote(protocolFrame) + "]";
  }

  @Override
  public List<String> decode(String textFrame) {
    // Batches matter: a reply and several room messages can share one "a" frame.
    if (textFrame.startsWith("a")) {
      return JsonStrings.parseStringArray(textFrame.substring(1));
    }
    return List.of();
  }
}
