package io.parley.gatling;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Every knob of a run, read once from system properties ({@code -Dname=value} on the Maven command line).
 *
 * @param users            virtual users, each with one connection (property {@code users}, default 100)
 * @param rampSeconds      time over which the users connect ({@code rampSeconds}, default 5)
 * @param wsUrl            raw WebSocket endpoint ({@code parley.url}, default ws://127.0.0.1:8080/ws)
 * @param sockJsUrl        SockJS base ({@code parley.sockjsUrl}, default ws://127.0.0.1:8080/sockjs)
 * @param room             room everyone joins ({@code parley.room}, default bench)
 * @param messages         messages each user publishes ({@code messages}, default 10)
 * @param interval         time between two publishes of one user ({@code intervalMs}, default 1000)
 * @param settle           extra wait after the ramp before anyone publishes ({@code settleMs}, default 3000)
 * @param replyTimeout     how long a request waits for its reply ({@code replyTimeoutMs}, default 10000)
 * @param receiveTimeout   how long a user waits for the last room messages ({@code receiveTimeoutMs}, default 15000)
 * @param p99Ms            bound on the 99th percentile of response times ({@code p99Ms}, default 500)
 * @param localAddresses   loopback source addresses to spread connections over ({@code localAddresses},
 *                         comma-separated, default 127.0.0.1): one address has only ~28k ephemeral ports
 * @param secret           HS256 secret ({@code parley.secret}, else env {@code PARLEY_AUTH_JWT_SECRET})
 */
public record BenchConfig(
    int users,
    int rampSeconds,
    String wsUrl,
    String sockJsUrl,
    String room,
    int messages,
    Duration interval,
    Duration settle,
    Duration replyTimeout,
    Duration receiveTimeout,
    int p99Ms,
    List<String> localAddresses,
    String secret) {

  public static BenchConfig fromSystemProperties() {
    return new BenchConfig(
        positive("users", 100),
        positive("rampSeconds", 5),
        text("parley.url", "ws://127.0.0.1:8080/ws"),
        text("parley.sockjsUrl", "ws://127.0.0.1:8080/sockjs"),
        text("parley.room", "bench"),
        positive("messages", 10),
        Duration.ofMillis(positive("intervalMs", 1000)),
        Duration.ofMillis(positive("settleMs", 3000)),
        Duration.ofMillis(positive("replyTimeoutMs", 10_000)),
        Duration.ofMillis(positive("receiveTimeoutMs", 15_000)),
        positive("p99Ms", 500),
        Arrays.stream(text("localAddresses", "127.0.0.1").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList(),
        secretFromEnvironment());
  }

  /** Every user receives every message published in the room, its own included. */
  public int expectedPerUser() {
    return users * messages;
  }

  private static String text(String name, String fallback) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static int positive(String name, int fallback) {
    String raw = text(name, Integer.toString(fallback));
    try {
      int value = Integer.parseInt(raw);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the property name, which the JDK message lacks
    }
    throw new IllegalArgumentException("-D" + name + " must be a positive integer, got '" + raw + "'");
  }

  private static String secretFromEnvironment() {
    String value = System.getProperty("parley.secret");
    if (value == null || value.isEmpty()) {
      value = System.getenv("PARLEY_AUTH_JWT_SECRET");
    }
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(
          "no JWT secret: set -Dparley.secret=... or PARLEY_AUTH_JWT_SECRET (the node's HS256 secret)");
    }
    return value;
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "BenchConfig[users=%d, rampSeconds=%d, wsUrl=%s, sockJsUrl=%s, room=%s, messages=%d, intervalMs=%d,"
        .formatted(users, rampSeconds, wsUrl, sockJsUrl, room, messages, interval.toMillis())
        + " settleMs=%d, replyTimeoutMs=%d, receiveTimeoutMs=%d, p99Ms=%d, localAddresses=%s]"
            .formatted(settle.toMillis(), replyTimeout.toMillis(), receiveTimeout.toMillis(), p99Ms, localAddresses);
  }
}
