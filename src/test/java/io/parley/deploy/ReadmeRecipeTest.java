package io.parley.deploy;

import io.parley.auth.TokenMinter;
import io.parley.testing.ParleyProcess;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.parley.testing.Sessions.isMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the "Three nodes on one machine" recipe of docs/OPERATIONS.md (which the README links) as written — its variables, one process per line — with
 * two substitutions: each port it names is mapped to a free one (so a developer's own node cannot collide), and
 * the secret is generated here instead of by openssl. The three processes must form one cluster.
 */
class ReadmeRecipeTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern ASSIGNMENT = Pattern.compile("(PARLEY_[A-Z_]+)=(\\S+)");
  private static final Pattern PORT = Pattern.compile("(?<=[=:,])(\\d{4,5})\\b");
  private final List<ParleyProcess> nodes = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    nodes.forEach(ParleyProcess::close);
    vertx.close();
  }

  @Test
  @DisplayName("the documented three-node loopback recipe forms one cluster that delivers across nodes")
  void threeNodesOnOneMachine() throws Exception {
    List<String> block = recipe();
    Map<String, String> ports = new HashMap<>();
    Map<String, String> shared = new LinkedHashMap<>();
    List<Map<String, String>> perNode = new ArrayList<>();
    for (String line : block) {
      String remapped = remapPorts(line, ports);
      if (remapped.startsWith("export ")) {
        Matcher m = ASSIGNMENT.matcher(remapped);
        assertTrue(m.find(), line);
        shared.put(m.group(1), m.group(2).startsWith("\"$(") ? TestNodes.SECRET : m.group(2));
      } else if (remapped.contains("java -jar target/parley.jar")) {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher m = ASSIGNMENT.matcher(remapped.substring(0, remapped.indexOf("java -jar")));
        while (m.find()) {
          env.put(m.group(1), m.group(2));
        }
        perNode.add(env);
      }
    }
    assertEquals(3, perNode.size(), "three node lines in the recipe");
    assertTrue(shared.containsKey("PARLEY_AUTH_JWT_SECRET") && shared.containsKey("PARLEY_CLUSTER_MEMBERS"), shared::toString);
    for (Map<String, String> env : perNode) {
      Map<String, String> all = new HashMap<>(shared);
      all.putAll(env);
      all.put("PARLEY_CLUSTER_NAME", "readme-" + ports.get("5701"));
      nodes.add(ParleyProcess.start(List.of(), all));
    }
    for (ParleyProcess node : nodes) {
      node.awaitStdout("event=node_ready", WAIT);
    }
    List<Integer> httpPorts = perNode.stream().map(env -> Integer.parseInt(env.get("PARLEY_HTTP_PORT"))).toList();
    awaitNodeList(httpPorts.get(0), 3);

    String room = "readme";
    try (TestClient first = TestClient.connect(vertx, TestClient.options(httpPorts.get(0))
             .wsPath("/ws?token=" + TestNodes.token(vertx, "reader")));
         TestClient third = TestClient.connect(vertx, TestClient.options(httpPorts.get(2))
             .wsPath("/ws?token=" + TestNodes.token(vertx, "writer")))) {
      first.request(new JsonObject().put("type", "join").put("room", room));
      third.request(new JsonObject().put("type", "join").put("room", room));
      third.request(new JsonObject().put("type", "publish").put("room", room).put("body", "across the recipe"));
      assertEquals("across the recipe", first.next(f -> isMessage(f, room), Duration.ofSeconds(10)).getString("body"));
    }
  }

  private static List<String> recipe() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("docs", "OPERATIONS.md"));
    int heading = lines.indexOf("### Three nodes on one machine");
    assertTrue(heading >= 0, "docs/OPERATIONS.md has the recipe");
    int open = heading;
    while (!lines.get(open).startsWith("```")) {
      open++;
    }
    int close = open + 1;
    while (!lines.get(close).startsWith("```")) {
      close++;
    }
    return lines.subList(open + 1, close);
  }

  /** Maps every port number in the line to a free port, the same one wherever the same number appears. */
  private static String remapPorts(String line, Map<String, String> ports) {
    Matcher m = PORT.matcher(line);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, ports.computeIfAbsent(m.group(1), p -> Integer.toString(TestNodes.freePort())));
    }
    return m.appendTail(out).toString();
  }

  private void awaitNodeList(int port, int expected) throws InterruptedException {
    String admin = new TokenMinter(vertx, TestNodes.SECRET).mint("ops", true, 60, null, null);
    HttpClient http = vertx.createHttpClient();
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    JsonArray list = new JsonArray();
    while (System.currentTimeMillis() < deadline) {
      list = TestNodes.await(http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
              .setPort(port).setURI("/api/nodes").putHeader("Authorization", "Bearer " + admin))
          .compose(request -> request.send()).compose(response -> response.body())
          .map(body -> new JsonObject(body).getJsonArray("nodes")), Duration.ofSeconds(5));
      if (list.size() == expected) {
        break;
      }
      Thread.sleep(200);
    }
    http.close();
    assertEquals(expected, list.size(), "nodes listed: " + list.encode());
  }
}
