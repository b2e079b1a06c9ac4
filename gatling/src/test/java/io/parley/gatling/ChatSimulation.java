package io.parley.gatling;

/** Chat over {@code /ws} (see {@link ChatScenario}). The SockJS variant is {@link SockJsChatSimulation}. */
public class ChatSimulation extends RampedSimulation {

  public ChatSimulation() {
    this(Transport.WS);
  }

  protected ChatSimulation(Transport transport) {
    super(transport, ChatScenario::new);
  }
}
