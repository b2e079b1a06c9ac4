package io.parley.gatling;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

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
 *                         comma-separated, default 127.0.0.2 to 127.0.0.9): one address has only ~28k
 *                         ephemeral ports towards one node, and the node limits the connection rate per address
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

  /** The bench's default too: eight loopback addresses, all on Linux's {@code lo} without configuration. */
  static final String DEFAULT_LOCAL_ADDRESSES =
      IntStream.rangeClosed(2, 9).mapToObj(octet -> "127.0.0." + octet).collect(Collectors.joining(","));

  public static BenchConfig fromSystemProperties() {
    return new BenchConfig(
        Props.positive("users", 100),
        Props.positive("rampSeconds", 5),
        Props.text("parley.url", "ws://127.0.0.1:8080/ws"),
        Props.text("parley.sockjsUrl", "ws://127.0.0.1:8080/sockjs"),
        Props.text("parley.room", "bench"),
        Props.positive("messages", 10),
        Duration.ofMillis(Props.positive("intervalMs", 1000)),
        Duration.ofMillis(Props.positive("settleMs", 3000)),
        Duration.ofMillis(Props.positive("replyTimeoutMs", 10_000)),
        Duration.ofMillis(Props.positive("receiveTimeoutMs", 15_000)),
        Props.positive("p99Ms", 500),
        Props.list("localAddresses", DEFAULT_LOCAL_ADDRESSES),
        secretFromEnvironment());
  }

  /** Every user receives every message published in the room, its own included. */
  public int expectedPerUser() {
    return users * messages;
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
