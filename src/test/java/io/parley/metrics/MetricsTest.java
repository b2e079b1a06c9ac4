package io.parley.metrics;

import io.parley.protocol.Frames;
import io.parley.testing.SingleNode;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /metrics after real traffic: the documented series exist, labels stay bounded, the dashboard's queries match. */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  private static final Pattern METRIC_NAME = Pattern.compile("\\b((?:parley|jvm|vertx|process|system)_[a-zA-Z0-9_]+)");

  @RegisterExtension
  static final SingleNode NODE = new SingleNode();

  private static String scrape;

  @BeforeAll
  static void trafficThenScrape() {
    try (TestClient a = authenticated(NODE.vertx(), NODE.node(), "metric-user-a");
         TestClient b = authenticated(NODE.vertx(), NODE.node(), "metric-user-b",
             TestClient.Transport.SOCKJS_WEBSOCKET)) {
      for (int i = 0; i < 30; i++) {
        join(a, "metric-room-" + i);
        join(b, "metric-room-" + i);
        publish(a, "metric-room-" + i, i);
        b.next(f -> isMessage(f, "metric-room-" + 0) || "message".equals(f.getString("type")), Duration.ofSeconds(5));
      }
      a.sendText("not json");
      a.next(f -> "error".equals(f.getString("type")), Duration.ofSeconds(5));
    }
    scrape = TestNodes.await(scrapeOnce(), Duration.ofSeconds(5));
  }

  private static io.vertx.core.Future<String> scrapeOnce() {
    HttpClient http = NODE.vertx().createHttpClient();
    return http.request(HttpMethod.GET, NODE.port(), "127.0.0.1", "/metrics")
        .compose(request -> request.send())
        .compose(response -> response.body())
        .map(body -> body.toString())
        .onComplete(r -> http.close());
  }

  private static Set<String> exportedNames() {
    return scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
        .map(line -> line.split("[{ ]")[0]).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  @DisplayName("the metrics README documents are exported, with their labels")
  void documentedMetrics() {
    for (String series : new String[]{
        "parley_connections{transport=\"websocket\"}", "parley_connections{transport=\"sockjs\"}",
        "parley_connects_total{transport=\"sockjs\"}", "parley_disconnects_total{code=\"4009\"}",
        "parley_disconnects_total{code=\"client\"}", "parley_frames_in_total{type=\"publish\"}",
        "parley_frames_in_total{type=\"invalid\"}", "parley_frames_out_total{type=\"message\"}",
        "parley_errors_total{code=\"bad_request\"}", "parley_rate_limited_total{kind=\"connection\"}",
        "parley_messages_published_total", "parley_messages_delivered_total", "parley_rooms_local",
        "parley_publish_stored_seconds_bucket", "parley_publish_delivered_seconds_bucket",
        "parley_fanout_batch_pushes_count", "parley_fanout_batch_pushes_sum",
        "parley_slow_consumers_total", "parley_room_resets_total", "parley_store_commit_writes_count", "parley_private_sent_total",
        "parley_hub_history_fetches_total{reason=\"gap\"}", "parley_hub_history_fetches_total{reason=\"tail\"}",
        "parley_cluster_members", "parley_cluster_safe", "parley_auth_token_cache_hits_total",
        "parley_auth_token_cache_misses_total", "vertx_eventbus_handlers", "jvm_memory_used_bytes",
        "parley_limits_refused_total{limit=\"maxRooms\"}", "parley_limits_refused_total{limit=\"connectionsPerUser\"}",
        "parley_streams{kind=\"room\"}", "parley_streams{kind=\"user\"}",
        "parley_streams_evicted_total{kind=\"user\"}"}) {
      assertTrue(scrape.contains(series), "missing " + series);
    }
    assertTrue(scrape.contains("parley_messages_published_total 30.0"), "30 publishes counted");
    assertTrue(scrape.contains("parley_frames_in_total{type=\"invalid\"} 1.0"), "one invalid frame counted");
  }

  @Test
  @DisplayName("no label carries a room or a user: series do not grow with traffic")
  void boundedLabels() {
    assertFalse(scrape.contains("metric-room"), "a room name leaked into a label");
    assertFalse(scrape.contains("metric-user"), "a user id leaked into a label");
    assertFalse(scrape.contains("parley.room."), "an event-bus address leaked into a label");
  }

  @Test
  @DisplayName("50 made-up HTTP methods (curl -X ZZTOP), before any auth: the number of series does not grow")
  void madeUpMethodsAddNoSeries() {
    HttpClient http = NODE.vertx().createHttpClient();
    try {
      String[] paths = {"/", "/api/rooms/x/presence", "/sockjs/info", "/ws", "/metrics", "/no/such/path"};
      for (String path : paths) {
        madeUp(http, "WARMUP", path); // a first method outside the set makes the "other" series of its status code
      }
      TestNodes.await(scrapeOnce(), Duration.ofSeconds(5));
      Set<String> before = seriesOf(TestNodes.await(scrapeOnce(), Duration.ofSeconds(5)));
      for (int i = 0; i < 50; i++) {
        madeUp(http, "ZZTOP" + i, paths[i % paths.length]);
      }
      String after = TestNodes.await(scrapeOnce(), Duration.ofSeconds(5));
      Set<String> added = new TreeSet<>(seriesOf(after));
      added.removeAll(before);
      added.removeIf(series -> series.startsWith("jvm_")); // a first GC of some kind may add its own series
      assertEquals(Set.of(), added, "series added by made-up methods");
      assertFalse(after.contains("ZZTOP") || after.contains("WARMUP"), "a made-up method became a label value");
      assertTrue(after.contains("method=\"other\""), "made-up methods are counted as other");
      assertTrue(after.contains("method=\"GET\""), "GET keeps its name");
    } finally {
      http.close();
    }
  }

  private static void madeUp(HttpClient http, String method, String path) {
    int status = TestNodes.await(http.request(HttpMethod.valueOf(method), NODE.port(), "127.0.0.1", path)
        .compose(request -> request.send())
        .compose(response -> response.body().map(b -> response.statusCode())), Duration.ofSeconds(5));
    assertTrue(status >= 400, method + " " + path + " answered " + status);
  }

  /** Every series of a scrape: its name and labels, without the value. */
  private static Set<String> seriesOf(String scrape) {
    return scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
        .map(line -> line.substring(0, line.lastIndexOf(' '))).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  @DisplayName("every query of the Grafana dashboard names a metric the node exports")
  void dashboardMatchesExports() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("conf", "grafana", "parley-dashboard.json")));
    Set<String> used = new TreeSet<>();
    JsonArray panels = dashboard.getJsonArray("panels");
    for (int i = 0; i < panels.size(); i++) {
      JsonArray targets = panels.getJsonObject(i).getJsonArray("targets");
      for (int t = 0; t < targets.size(); t++) {
        Matcher names = METRIC_NAME.matcher(targets.getJsonObject(t).getString("expr"));
        while (names.find()) {
          used.add(names.group(1));
        }
      }
    }
    assertTrue(used.size() >= 15, "the dashboard queries the metrics: " + used);
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(exportedNames());
    assertEquals(Set.of(), missing, "dashboard queries metrics the node does not export");
  }

  @Test
  @DisplayName("the ts of a room message frame is read without parsing")
  void tsOfFrame() {
    String frame = Frames.roomMessage("r", 7, Frames.storedMessage("u", new JsonObject().put("ts", 1), 1763900000123L));
    assertEquals(1763900000123L, Frames.tsOf(frame));
    assertEquals(0L, Frames.tsOf("{\"type\":\"presence\"}"));
  }
}
