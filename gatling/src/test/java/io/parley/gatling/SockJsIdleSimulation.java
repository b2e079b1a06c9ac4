package io.parley.gatling;

/** Idle connections over SockJS's websocket transport ({@code parley.sockjsUrl}). */
public class SockJsIdleSimulation extends IdleSimulation {

  public SockJsIdleSimulation() {
    super(Transport.SOCKJS);
  }
}
