package io.parley.gatling;

/** The room fan-out load (see {@link RoomFanoutScenario}), for whichever transport a subclass picks. */
abstract class FanoutSimulation extends RampedSimulation {

  protected FanoutSimulation(Transport transport) {
    super(transport, RoomFanoutScenario::new);
  }
}
