package io.parley.gatling;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Room fan-out over SockJS's websocket transport: each user connects to
 * {@code <parley.sockjsUrl>/<3 digits>/<uuid>/websocket}, as a SockJS client picks a server id and session id.
 */
public class SockJsRoomFanoutSimulation extends FanoutSimulation {

  public SockJsRoomFanoutSimulation() {
    super("room fan-out (sockjs)", new SockJsWire(), config -> session -> sessionUrl(config.sockJsUrl()));
  }

  private static String sessionUrl(String base) {
    String server = String.format("%03d", ThreadLocalRandom.current().nextInt(1000));
    return base + "/" + server + "/" + UUID.randomUUID() + "/websocket";
  }
}
