package io.parley.metrics;

import io.parley.config.ParleyConfig;
import io.parley.testing.Http;
import io.parley.testing.SingleNode;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** metrics.port: /metrics on a listener of its own, and no longer on the client port (a real node, real HTTP). */
class MetricsListenerTest {

  private static final int METRICS_PORT = TestNodes.freePort();

  @RegisterExtension
  static final SingleNode NODE = new SingleNode(config -> config.getJsonObject("metrics")
      .put("host", "127.0.0.1").put("port", METRICS_PORT));

  @Test
  @DisplayName("/metrics answers on metrics.port only; the client port keeps everything else")
  void separateListener() {
    Http.Reply scrape = Http.get(NODE.vertx(), METRICS_PORT, "/metrics");
    assertEquals(200, scrape.status());
    assertTrue(scrape.body().contains("parley_connections{transport=\"websocket\"}"), scrape.body());
    assertEquals(404, Http.get(NODE.vertx(), NODE.port(), "/metrics").status(), "still on the client port");
    assertEquals(200, Http.get(NODE.vertx(), NODE.port(), "/health").status());
    assertEquals(404, Http.get(NODE.vertx(), METRICS_PORT, "/health").status(), "the metrics port serves only /metrics");
  }

  @Test
  @DisplayName("metrics.port equal to http.port, out of range, or metrics.host alone: refused, naming the setting")
  void validated() {
    for (JsonObject metrics : List.of(new JsonObject().put("port", 8080), new JsonObject().put("port", 70000),
        new JsonObject().put("host", "127.0.0.1"))) {
      JsonObject config = TestNodes.config(5701, List.of(5701));
      config.getJsonObject("http").put("port", 8080);
      config.getJsonObject("metrics").mergeIn(metrics);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(config));
      assertTrue(e.getMessage().contains("metrics."), e.getMessage());
    }
  }
}
