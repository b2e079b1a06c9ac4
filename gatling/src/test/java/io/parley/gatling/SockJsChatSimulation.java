package io.parley.gatling;

/** Chat over SockJS's websocket transport ({@code parley.sockjsUrl}). */
public class SockJsChatSimulation extends ChatSimulation {

  public SockJsChatSimulation() {
    super(Transport.SOCKJS);
  }
}
