package io.parley.gatling;

/** Room fan-out over the raw WebSocket endpoint ({@code parley.url}); the default simulation of this module. */
public class RoomFanoutSimulation extends FanoutSimulation {

  public RoomFanoutSimulation() {
    super(Transport.WS);
  }
}
