package io.parley.gatling;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Room fan-out across a cluster: subscribers join the room on the nodes of {@code urls} in turn, publishers
 * publish on the first node without joining (their token's {@code publish} claim), and every subscriber must
 * receive every message exactly once and in seq order, whichever node it is on.
 */
final class ClusterFanoutScenario {

  private final BenchConfig config;
  private final List<String> urls;
  private final int publishers;
  private final ProtocolSteps protocol;
  private final FanoutSteps fanout;
  private final RunClock clock = new RunClock();
  /** Gatling numbers users across both scenarios, so each role counts its own. */
  private final AtomicInteger subscribersSoFar = new AtomicInteger();
  private final AtomicInteger publishersSoFar = new AtomicInteger();

  ClusterFanoutScenario(BenchConfig config, List<String> urls, int publishers) {
    this.config = config;
    this.urls = urls;
    this.publishers = publishers;
    this.protocol = new ProtocolSteps(config, new RawWire());
    this.fanout = new FanoutSteps(config, protocol, clock, config.users());
  }

  ScenarioBuilder subscribers() {
    return scenario("cluster fan-out subscribers")
        .exec(this::initSubscriber)
        .exec(protocol.connectAndAuthenticate(session -> session.getString("url")))
        .exec(fanout.joinRoom())
        .exec(fanout.awaitAllMessages())
        .exec(fanout.verifyDelivery())
        .exec(protocol.close());
  }

  ScenarioBuilder publishers() {
    return scenario("cluster fan-out publishers")
        .exec(this::initPublisher)
        .exec(protocol.connectAndAuthenticate(session -> urls.get(0)))
        .exec(fanout.publishAll(session -> session.getInt("publisher"), publishers))
        .exec(protocol.close());
  }

  private Session initSubscriber(Session session) {
    clock.markStart();
    String url = urls.get(subscribersSoFar.getAndIncrement() % urls.size());
    DeliveryTracker tracker = fanout.newTracker(publishers);
    return protocol.newUser(session, tracker).setAll(Map.of(DeliveryTracker.KEY, tracker, "url", url));
  }

  private Session initPublisher(Session session) {
    clock.markStart();
    String mayPublish = ",\"publish\":[" + JsonStrings.quote(config.room()) + "]";
    return protocol.newUser(session, FrameObserver.NONE, mayPublish)
        .set("publisher", publishersSoFar.incrementAndGet());
  }
}
