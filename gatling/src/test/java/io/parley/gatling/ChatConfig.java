package io.parley.gatling;

import java.time.Duration;

/**
 * The knobs of the chat simulation, besides {@link BenchConfig}'s ({@code users}, {@code rampSeconds},
 * {@code settleMs}, ...).
 *
 * @param duration     how long users keep chatting once all have joined ({@code durationSeconds}, default 30)
 * @param pace         time between two actions of one user ({@code paceMs}, default 5000): the node sees
 *                     {@code users / pace} actions per second
 * @param visitPercent share of actions that visit another room instead of publishing ({@code visitPercent},
 *                     default 10): a {@code join}, a stay of {@code visitMs}, a {@code leave}
 * @param visit        how long a visit lasts ({@code visitMs}, default 2000); shorter than the pace
 * @param minRoom      fewest members of a room ({@code minRoom}, default 10)
 * @param maxRoom      most members of a room ({@code maxRoom}, default 50)
 */
record ChatConfig(Duration duration, Duration pace, int visitPercent, Duration visit, int minRoom, int maxRoom) {

  static ChatConfig fromSystemProperties() {
    return new ChatConfig(
        Duration.ofSeconds(Props.positive("durationSeconds", 30)),
        Duration.ofMillis(Props.positive("paceMs", 5000)),
        Math.min(100, Props.positive("visitPercent", 10)),
        Duration.ofMillis(Props.positive("visitMs", 2000)),
        Props.positive("minRoom", 10),
        Props.positive("maxRoom", 50));
  }

  @Override
  public String toString() {
    return "ChatConfig[durationSeconds=%d, paceMs=%d, visitPercent=%d, visitMs=%d, minRoom=%d, maxRoom=%d]"
        .formatted(duration.toSeconds(), pace.toMillis(), visitPercent, visit.toMillis(), minRoom, maxRoom);
  }
}
