package io.parley.gatling;

import java.util.List;

/** A scenario's view of every protocol frame one virtual user receives, in arrival order. */
interface FrameObserver {

  FrameObserver NONE = frames -> {};

  void observe(List<String> frames);
}
