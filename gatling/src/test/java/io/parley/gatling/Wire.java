package io.parley.gatling;

import java.util.List;

/** How protocol frames (one JSON object each) travel inside WebSocket text frames for one transport. */
interface Wire {

  /** The WebSocket text frame that carries one protocol frame. */
  String encode(String protocolFrame);

  /** The protocol frames carried by one WebSocket text frame (none for transport-only frames). */
  List<String> decode(String textFrame);
}
