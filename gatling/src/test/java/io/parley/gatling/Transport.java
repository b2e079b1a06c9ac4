package io.parley.gatling;

import io.gatling.javaapi.core.Session;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/** Where a user connects for one transport, and how frames travel over it. */
enum Transport {

  /** {@code /ws} ({@code parley.url}): one protocol frame per WebSocket text frame. */
  WS("ws", new RawWire()) {
    @Override
    Function<Session, String> url(BenchConfig config) {
      return session -> config.wsUrl();
    }
  },

  /**
   * SockJS's websocket transport: {@code <parley.sockjsUrl>/<3 digits>/<uuid>/websocket}, as a SockJS client
   * picks a server id and a session id.
   */
  SOCKJS("sockjs", new SockJsWire()) {
    @Override
    Function<Session, String> url(BenchConfig config) {
      return session -> sessionUrl(config.sockJsUrl());
    }
  };

  final String label;
  final Wire wire;

  Transport(String label, Wire wire) {
    this.label = label;
    this.wire = wire;
  }

  abstract Function<Session, String> url(BenchConfig config);

  private static String sessionUrl(String base) {
    String server = String.format("%03d", ThreadLocalRandom.current().nextInt(1000));
    return base + "/" + server + "/" + UUID.randomUUID() + "/websocket";
  }
}
