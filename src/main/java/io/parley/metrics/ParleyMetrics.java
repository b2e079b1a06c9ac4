package io.parley.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The one place that names parley's meters. Labels are bounded (transport only): never a room or a user,
 * so the number of series does not grow with traffic.
 */
public final class ParleyMetrics {

  public static final String WEBSOCKET = "websocket";
  public static final String SOCKJS = "sockjs";

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> connections;
  private final Counter published;
  private final Counter delivered;
  private final Timer publishStored;
  private final Counter privateSent;
  private final Counter mailboxDropped;

  public ParleyMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.connections = Map.of(WEBSOCKET, new AtomicInteger(), SOCKJS, new AtomicInteger());
    connections.forEach((transport, count) -> Gauge.builder("parley.connections", count, AtomicInteger::get)
        .description("Open client connections on this node")
        .tag("transport", transport)
        .register(registry));
    this.published = Counter.builder("parley.messages.published")
        .description("Room messages stored and published by clients of this node")
        .register(registry);
    this.delivered = Counter.builder("parley.messages.delivered")
        .description("Frames of room messages written to clients of this node")
        .register(registry);
    this.publishStored = Timer.builder("parley.publish.stored")
        .description("Time from a publish request to its message being stored in the cluster")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    this.privateSent = Counter.builder("parley.private.sent")
        .description("Private messages accepted from clients of this node")
        .register(registry);
    this.mailboxDropped = Counter.builder("parley.mailbox.dropped")
        .description("Private messages dropped from a full or expired offline mailbox")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void connectionOpened(String transport) {
    connections.get(transport).incrementAndGet();
  }

  public void connectionClosed(String transport) {
    connections.get(transport).decrementAndGet();
  }

  /** Rooms with local members, read from the hub when scraped. */
  public void roomsWithLocalMembers(Supplier<Number> count) {
    Gauge.builder("parley.rooms.local", count)
        .description("Rooms with at least one member on this node")
        .register(registry);
  }

  public void published(long startNanos) {
    published.increment();
    publishStored.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void privateSent() {
    privateSent.increment();
  }

  public void mailboxDropped(int messages) {
    if (messages > 0) {
      mailboxDropped.increment(messages);
    }
  }

  public void delivered(int frames) {
    delivered.increment(frames);
  }
}
