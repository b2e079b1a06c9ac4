package io.parley.gatling;

/** Room fan-out over SockJS's websocket transport ({@code parley.sockjsUrl}). */
public class SockJsRoomFanoutSimulation extends FanoutSimulation {

  public SockJsRoomFanoutSimulation() {
    super(Transport.SOCKJS);
  }
}
