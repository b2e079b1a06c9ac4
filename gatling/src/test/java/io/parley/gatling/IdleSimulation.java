package io.parley.gatling;

/**
 * Idle connections over {@code /ws} (see {@link IdleScenario}). The SockJS variant is {@link SockJsIdleSimulation}.
 */
public class IdleSimulation extends RampedSimulation {

  public IdleSimulation() {
    this(Transport.WS);
  }

  protected IdleSimulation(Transport transport) {
    super(transport, IdleScenario::new);
  }
}
