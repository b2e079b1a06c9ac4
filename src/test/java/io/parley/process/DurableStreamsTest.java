package io.parley.process;

import io.parley.testing.PostgresServer;
import io.parley.testing.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Issue 17: streams that survive. Real node processes, a real store, real {@code kill -9} under traffic: every
 * acknowledged publish and private message is there after the restart, at the seq it was given, in the same epoch,
 * and the streams go on from there.
 */
@DisplayName("streams with a store survive kill -9 under traffic")
class DurableStreamsTest {

  private static final int ROOMS = 12;
  private static final int RECIPIENTS = 4;
  private static final Duration TRAFFIC_TIMEOUT = Duration.ofSeconds(60);

  private Vertx vertx;
  private ProcessCluster cluster;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    vertx.close();
  }

  @Test
  @DisplayName("embedded: one node killed under traffic and restarted on the same folder keeps everything acknowledged")
  void embeddedSurvivesKill9(@TempDir Path data) {
    cluster = new ProcessCluster("embedded", 1, 5000, config -> config.put("store",
        new JsonObject().put("kind", "embedded").put("path", data.toAbsolutePath().toString()))).start();
    assertSurvivesKillOfAll(4, 2);
  }

  @Test
  @DisplayName("postgres: three nodes killed together under traffic and restarted keep everything acknowledged")
  void postgresSurvivesKill9OfAll() {
    PostgresServer.Database db = PostgresServer.shared().createDatabase();
    cluster = new ProcessCluster("postgres", 3, 5000, config -> config.put("store", new JsonObject()
        .put("kind", "postgres").put("url", db.url()).put("user", db.user()).put("password", db.password())))
        .start();
    assertSurvivesKillOfAll(6, 3);
  }

  /**
   * Traffic from {@code publishers} and {@code senders} connections, {@code kill -9} of every node while it runs,
   * a restart on the same configuration, then the audit.
   */
  private void assertSurvivesKillOfAll(int publishers, int senders) {
    List<Integer> ports = cluster.httpPorts();
    StreamAudit audit = new StreamAudit(vertx);
    String epoch = epochOf(audit, ports.get(0), StreamTraffic.room(0));
    StreamTraffic traffic = new StreamTraffic(vertx, ports, ROOMS, RECIPIENTS).start(publishers, senders)
        .awaitAcknowledged(400, 60, TRAFFIC_TIMEOUT);
    cluster.killAll();
    traffic.close();
    System.out.println("killed under traffic after " + traffic.published.size() + " publishes and "
        + traffic.sent.size() + " sends acknowledged");

    cluster.start();
    int port = ports.get(ports.size() - 1);
    Map<String, StreamAudit.Position> positions = audit.checkRooms(port, traffic, ROOMS);
    audit.checkPrivate(ports.get(0), traffic, RECIPIENTS);
    assertEquals(List.of(), audit.failures(), "what was acknowledged before the kill");
    try (TestClient member = audit.reader(port, "returning")) {
      positions.forEach((room, position) -> {
        assertEquals(epoch, position.epoch(), room + " keeps the store's epoch");
        JsonObject joined = member.request(new JsonObject().put("type", "join").put("room", room)
            .put("since", position.seq()).put("epoch", epoch));
        assertEquals(Boolean.TRUE, joined.getBoolean("recovered"), room + ": " + joined);
        JsonObject next = member.request(new JsonObject().put("type", "publish").put("room", room)
            .put("body", new JsonObject().put("tag", "after")));
        assertEquals(position.seq() + 1, next.getLong("seq"), room + ": the next publish takes the next seq");
      });
    }
  }

  private static String epochOf(StreamAudit audit, int port, String room) {
    try (TestClient reader = audit.reader(port, "epoch-reader")) {
      String epoch = reader.request(new JsonObject().put("type", "history").put("room", room)).getString("epoch");
      assertNotNull(epoch);
      return epoch;
    }
  }
}
