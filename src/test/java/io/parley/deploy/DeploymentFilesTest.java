package io.parley.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.hazelcast.config.Config;
import io.parley.cluster.ClusterSetup;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What can be checked of the deployment files without Docker or Kubernetes: the manifests parse and are wired
 * as documented, and every PARLEY_ variable the Dockerfile, the manifests, the README and docs/ name really sets a
 * setting (a typo would be silently ignored at run time).
 */
class DeploymentFilesTest {

  private static final Pattern ENV_NAME = Pattern.compile("\\bPARLEY_[A-Z0-9_]+");
  /** Read by logback.xml itself, not a setting. */
  private static final Set<String> NOT_SETTINGS = Set.of("PARLEY_LOG_LEVEL");

  private static List<JsonNode> manifests() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class)
        .readValues(Files.readString(Path.of("conf", "kubernetes", "parley.yaml")))) {
      it.forEachRemaining(documents::add);
    }
    return documents;
  }

  @Test
  @DisplayName("the Kubernetes manifests parse: two Services, a StatefulSet probing /ready, a budget, a network policy")
  void kubernetesManifests() throws Exception {
    List<JsonNode> documents = manifests();
    assertEquals(List.of("Service", "Service", "StatefulSet", "PodDisruptionBudget", "NetworkPolicy"),
        documents.stream().map(d -> d.get("kind").asText()).toList());
    JsonNode headless = documents.get(0);
    assertEquals("None", headless.at("/spec/clusterIP").asText());
    JsonNode statefulSet = documents.get(2);
    assertEquals(headless.at("/metadata/name").asText(), statefulSet.at("/spec/serviceName").asText());
    JsonNode container = statefulSet.at("/spec/template/spec/containers/0");
    assertEquals("/ready", container.at("/readinessProbe/httpGet/path").asText());
    assertEquals("/health", container.at("/livenessProbe/httpGet/path").asText());
    assertFalse(container.at("/lifecycle/preStop").isMissingNode(), "a preStop hook before the drain");
    Map<String, String> env = new java.util.HashMap<>();
    container.get("env").forEach(e -> env.put(e.get("name").asText(), e.path("value").asText()));
    assertEquals("kubernetes-dns", env.get("PARLEY_CLUSTER_DISCOVERY"));
    assertTrue(env.get("PARLEY_CLUSTER_SERVICE_DNS").startsWith(headless.at("/metadata/name").asText() + "."));
  }

  @Test
  @DisplayName("a PodDisruptionBudget lets one parley pod go at a time")
  void disruptionBudget() throws Exception {
    List<JsonNode> documents = manifests();
    JsonNode statefulSet = kind(documents, "StatefulSet");
    JsonNode budget = kind(documents, "PodDisruptionBudget");
    assertEquals("policy/v1", budget.get("apiVersion").asText());
    assertEquals(1, budget.at("/spec/maxUnavailable").asInt());
    assertTrue(budget.at("/spec/minAvailable").isMissingNode(), "maxUnavailable alone");
    assertEquals(statefulSet.at("/spec/selector/matchLabels"), budget.at("/spec/selector/matchLabels"));
    assertEquals("/ready", statefulSet.at("/spec/template/spec/containers/0/readinessProbe/httpGet/path").asText(),
        "the budget counts pods ready by the probe that waits for the cluster to be safe");
  }

  @Test
  @DisplayName("a NetworkPolicy: Hazelcast and event-bus ports only from parley pods, the client port from anywhere")
  void networkPolicy() throws Exception {
    List<JsonNode> documents = manifests();
    JsonNode policy = kind(documents, "NetworkPolicy");
    JsonNode statefulSet = kind(documents, "StatefulSet");
    JsonNode podLabels = statefulSet.at("/spec/template/metadata/labels");
    assertEquals(statefulSet.at("/spec/selector/matchLabels"), policy.at("/spec/podSelector/matchLabels"));
    assertEquals("[\"Ingress\"]", policy.at("/spec/policyTypes").toString());
    Map<String, Integer> containerPorts = new java.util.HashMap<>();
    statefulSet.at("/spec/template/spec/containers/0/ports")
        .forEach(p -> containerPorts.put(p.get("name").asText(), p.get("containerPort").asInt()));
    Set<Integer> clusterPorts = Set.of(containerPorts.get("hazelcast"), containerPorts.get("eventbus"));
    Set<Integer> openToAll = new TreeSet<>();
    Set<Integer> openToParley = new TreeSet<>();
    for (JsonNode rule : policy.at("/spec/ingress")) {
      JsonNode from = rule.path("from");
      boolean anyone = from.isMissingNode() || from.isEmpty();
      if (!anyone) {
        assertEquals(1, from.size(), rule::toString);
        assertEquals(podLabels.path("app"), from.get(0).at("/podSelector/matchLabels/app"), rule::toString);
        assertTrue(from.get(0).path("namespaceSelector").isMissingNode(), "only this namespace's parley pods");
      }
      assertFalse(rule.path("ports").isMissingNode(), "every rule names its ports: " + rule);
      rule.get("ports").forEach(port -> (anyone ? openToAll : openToParley).add(port.get("port").asInt()));
    }
    assertEquals(Set.of(containerPorts.get("http")), openToAll, "only the client port is open to anyone");
    assertEquals(clusterPorts, openToParley, "the cluster ports, from parley pods");
    assertEquals(Set.of(5701, 5801), clusterPorts);
  }

  private static JsonNode kind(List<JsonNode> documents, String kind) {
    return documents.stream().filter(d -> kind.equals(d.get("kind").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " in the manifests"));
  }

  @Test
  @DisplayName("kubernetes-dns discovery configures Hazelcast's DNS lookup instead of the TCP-IP list")
  void kubernetesDiscovery() {
    JsonObject settings = ConfigLoader.load(null, Map.of(
        "PARLEY_AUTH_JWT_SECRET", "x".repeat(40),
        "PARLEY_CLUSTER_DISCOVERY", "kubernetes-dns",
        "PARLEY_CLUSTER_SERVICE_DNS", "parley-cluster.default.svc.cluster.local"));
    Config hazelcast = ClusterSetup.hazelcastConfig(ParleyConfig.from(settings).cluster());
    assertTrue(hazelcast.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled());
    assertEquals("parley-cluster.default.svc.cluster.local",
        hazelcast.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns"));
    assertFalse(hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertFalse(hazelcast.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
  }

  @Test
  @DisplayName("every PARLEY_ variable named in the Dockerfile, the manifests, the README and docs/ sets a real setting")
  void environmentVariablesExist() throws Exception {
    Set<String> known = ConfigLoader.environmentNames();
    List<String> files = new ArrayList<>(List.of("Dockerfile", "conf/kubernetes/parley.yaml", "README.md",
        "gatling/README.md", "gatling/BENCH.md"));
    try (var docs = Files.list(Path.of("docs"))) {
      docs.filter(doc -> doc.toString().endsWith(".md")).sorted().forEach(doc -> files.add(doc.toString()));
    }
    assertTrue(files.contains(Path.of("docs", "CONFIG.md").toString()), files::toString);
    for (String file : files) {
      Set<String> unknown = new TreeSet<>();
      Matcher names = ENV_NAME.matcher(Files.readString(Path.of(file)));
      while (names.find()) {
        if (!known.contains(names.group()) && !NOT_SETTINGS.contains(names.group())) {
          unknown.add(names.group());
        }
      }
      assertEquals(Set.of(), unknown, file + " names variables that set nothing");
    }
    assertTrue(known.contains("PARLEY_HTTP_PORT") && known.contains("PARLEY_CLUSTER_MEMBERS"));
  }

  @Test
  @DisplayName("docs/CONFIG.md has a row for every setting, with its PARLEY_ variable")
  void configDocNamesEverySetting() throws Exception {
    Set<String> missing = new TreeSet<>();
    Set<String> rows = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("docs", "CONFIG.md"))) {
      if (line.startsWith("| `")) {
        rows.add(line);
      }
    }
    collectMissing(ConfigLoader.defaults(), "", rows, missing);
    assertEquals(Set.of(), missing, "settings without a row (path and variable) in docs/CONFIG.md");
  }

  private static void collectMissing(JsonObject node, String prefix, Set<String> rows, Set<String> missing) {
    for (String key : node.fieldNames()) {
      String path = prefix + key;
      if (node.getValue(key) instanceof JsonObject child) {
        collectMissing(child, path + ".", rows, missing);
        continue;
      }
      String variable = ConfigLoader.ENV_PREFIX + String.join("_",
          java.util.Arrays.stream(path.split("\\.")).map(DeploymentFilesTest::upperSnake).toList());
      boolean documented = rows.stream().anyMatch(row -> row.startsWith("| `" + path + "` |")
          && row.contains("`" + variable + "`"));
      if (!documented) {
        missing.add(path + " (" + variable + ")");
      }
    }
  }

  private static String upperSnake(String key) {
    return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }
}
