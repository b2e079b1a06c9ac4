package io.parley.deploy;

import io.parley.ParleyNode;
import io.parley.cluster.ClusterSetup;
import io.parley.config.ParleyConfig;
import io.parley.testing.TestClient;
import io.parley.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.parley.testing.Sessions.authenticated;
import static io.parley.testing.Sessions.isMessage;
import static io.parley.testing.Sessions.join;
import static io.parley.testing.Sessions.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event bus over TLS with mutual authentication (cluster.tls): two real nodes in this JVM with certificates a
 * CA made here signed (the JDK's keytool), room messages crossing between them; a member that joins Hazelcast (it
 * has no TLS: it knows the cluster name and reaches the port) but holds no certificate of that CA delivers nothing.
 */
class ClusterTlsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String PASSWORD = "changeit";
  private static final String PROBE = "test.tls.probe";

  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static List<ParleyNode> nodes;
  private static final List<Integer> eventBusPorts = new ArrayList<>();
  private static final AtomicInteger probes = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=parley test CA",
        "-ext", "bc:c", "-validity", "2", "-keystore", p12("ca"));
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", p12("ca"), "-file", dir.resolve("ca.pem").toString());
    for (String node : List.of("node-1", "node-2")) {
      signedBy("ca", node);
    }
    selfSigned("rogue");
    vertx = Vertx.vertx();
    AtomicInteger started = new AtomicInteger();
    nodes = TestNodes.startCluster(2, config -> {
      String name = "node-" + started.incrementAndGet();
      int eventBusPort = TestNodes.freePort();
      eventBusPorts.add(eventBusPort);
      config.getJsonObject("cluster").put("eventBusPort", eventBusPort).put("tls", tls(name, "ca"));
    });
    // on a loaded machine the registration's backup may miss Hazelcast's 5 s (fail.on.indeterminate.state): again
    for (int attempt = 1; ; attempt++) {
      var consumer = nodes.get(0).vertx().eventBus().<String>consumer(PROBE, m -> {
        probes.incrementAndGet();
        m.reply("pong");
      });
      try {
        TestNodes.await(consumer.completion(), Duration.ofSeconds(70));
        break;
      } catch (IllegalStateException e) {
        consumer.unregister();
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.forEach(TestNodes::stop);
    }
    vertx.close();
  }

  @Test
  @DisplayName("room messages cross nodes over the TLS event bus, both ways")
  void messagesCross() {
    try (TestClient one = authenticated(vertx, nodes.get(0), "tls-one");
         TestClient two = authenticated(vertx, nodes.get(1), "tls-two")) {
      join(one, "tls-room");
      join(two, "tls-room");
      long seq = publish(one, "tls-room", "over tls").getLong("seq");
      JsonObject got = two.next(f -> isMessage(f, "tls-room") && f.getLong("seq") == seq, WAIT);
      assertEquals("over tls", got.getString("body"));
      long back = publish(two, "tls-room", "and back").getLong("seq");
      assertEquals("and back", one.next(f -> isMessage(f, "tls-room") && f.getLong("seq") == back, WAIT)
          .getString("body"));
    }
    assertEquals("pong", TestNodes.await(nodes.get(1).vertx().eventBus().<String>request(PROBE, "ping"), WAIT).body());
  }

  @Test
  @DisplayName("the event-bus port speaks TLS and wants a client certificate of the cluster's CA")
  void mutualAuthentication() {
    int port = eventBusPorts.get(0);
    // a node's own certificate: the handshake completes and the connection stays open
    assertTrue(!refused(tlsClient(new PemKeyCertOptions().setCertPath(pem("node-2")).setKeyPath(key("node-2"))), port),
        "a node's certificate was refused");
    // no certificate, or one the CA did not sign: refused during the handshake (TLS 1.3 reports it on first read)
    for (PemKeyCertOptions cert : new PemKeyCertOptions[]{null,
        new PemKeyCertOptions().setCertPath(pem("rogue")).setKeyPath(key("rogue"))}) {
      assertTrue(refused(tlsClient(cert), port), "accepted " + (cert == null ? "no certificate" : "the rogue's"));
    }
  }

  @Test
  @DisplayName("a member without the CA's certificate joins Hazelcast but cannot deliver on the event bus")
  void rogueCannotDeliver() {
    int before = probes.get();
    ParleyConfig.ClusterConfig theirs = nodes.get(0).config().cluster();
    int rogueHazelcast = TestNodes.freePort();
    JsonObject json = TestNodes.config(rogueHazelcast, List.of(rogueHazelcast));
    json.getJsonObject("cluster").put("name", theirs.name()).put("members",
        new io.vertx.core.json.JsonArray(theirs.members()));
    ParleyConfig.ClusterConfig rogueCluster = ParleyConfig.from(json).cluster();
    for (boolean withTls : new boolean[]{false, true}) {
      VertxOptions options = new VertxOptions();
      options.getEventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1");
      if (withTls) { // trusts the cluster's CA (its certificate is no secret) but has a certificate of its own
        ClusterSetup.eventBusTls(options.getEventBusOptions(), new ParleyConfig.ClusterTls(pem("rogue"), key("rogue"),
            dir.resolve("ca.pem").toString()));
      }
      Vertx rogue = TestNodes.await(Vertx.builder().with(options)
          .withClusterManager(new HazelcastClusterManager(ClusterSetup.hazelcastConfig(rogueCluster)))
          .buildClustered(), TestNodes.START_TIMEOUT);
      try {
        assertEquals(3, nodes.get(0).hazelcast().getCluster().getMembers().size(), "the rogue is a Hazelcast member");
        Future<io.vertx.core.eventbus.Message<Object>> sent = rogue.eventBus().request(PROBE, "ping", new DeliveryOptions().setSendTimeout(3000));
        assertThrows(IllegalStateException.class, () -> TestNodes.await(sent, WAIT),
            "the rogue's message was delivered" + (withTls ? " (with its own certificate)" : " (plain TCP)"));
      } finally {
        TestNodes.await(rogue.close(), WAIT);
      }
    }
    assertEquals(before, probes.get(), "the probe consumer received something from the rogue");
    assertTrue(io.parley.testing.Poll.until(() -> nodes.get(0).hazelcast().getCluster().getMembers().size() == 2,
        WAIT));
  }

  @Test
  @DisplayName("Hazelcast and the event bus listen on the cluster address only, not on every interface")
  void boundToClusterAddress() throws IOException {
    int hazelcast = nodes.get(0).config().cluster().port();
    for (int port : List.of(hazelcast, eventBusPorts.get(0))) {
      assertTrue(accepts("127.0.0.1", port), "nothing on 127.0.0.1:" + port);
      assertTrue(!accepts("127.0.0.2", port), "127.0.0.2:" + port + " accepted: bound to every address");
    }
  }

  @Test
  @DisplayName("cluster.tls: all three paths or none, each a readable file; otherwise refused, naming the setting")
  void settingsValidated() {
    JsonObject partial = TestNodes.config(5701, List.of(5701));
    partial.getJsonObject("cluster").put("tls", tls("node-1", "ca").put("caPath", ""));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(partial));
    assertTrue(e.getMessage().contains("cluster.tls.caPath") && e.getMessage().contains("all three"), e.getMessage());
    JsonObject missing = TestNodes.config(5701, List.of(5701));
    missing.getJsonObject("cluster").put("tls", tls("node-1", "ca").put("keyPath", dir.resolve("nope.key").toString()));
    e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.from(missing));
    assertTrue(e.getMessage().contains("cluster.tls.keyPath") && e.getMessage().contains("nope.key"), e.getMessage());
    assertTrue(!ParleyConfig.from(TestNodes.config(5701, List.of(5701))).cluster().tls().enabled(), "off by default");
  }

  private static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static io.vertx.core.net.NetClient tlsClient(PemKeyCertOptions cert) {
    NetClientOptions options = new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("")
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("ca.pem").toString()));
    if (cert != null) {
      options.setKeyCertOptions(cert);
    }
    return vertx.createNetClient(options);
  }

  /**
   * Connects and writes: a refused handshake fails the connect, or (TLS 1.3, where the client finishes first)
   * closes the socket at once without an answer. Still open after a few seconds: accepted.
   */
  private static boolean refused(io.vertx.core.net.NetClient client, int port) {
    try {
      Future<NetSocket> connected = client.connect(port, "127.0.0.1");
      io.vertx.core.Promise<Boolean> closed = io.vertx.core.Promise.promise();
      connected.onFailure(e -> closed.tryComplete(true)).onSuccess(socket -> {
        socket.closeHandler(v -> closed.tryComplete(true));
        socket.exceptionHandler(e -> closed.tryComplete(true));
        socket.handler(data -> closed.tryComplete(false));
        socket.write("x");
      });
      vertx.setTimer(5000, t -> closed.tryComplete(false));
      return TestNodes.await(closed.future(), WAIT);
    } finally {
      client.close();
    }
  }

  private static JsonObject tls(String name, String ca) {
    return new JsonObject().put("certPath", pem(name)).put("keyPath", key(name))
        .put("caPath", dir.resolve(ca + ".pem").toString());
  }

  private static String p12(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  private static String pem(String name) {
    return dir.resolve(name + ".pem").toString();
  }

  private static String key(String name) {
    return dir.resolve(name + ".key").toString();
  }

  /** A key pair for {@code name} and its certificate signed by {@code ca}, as PEM files. */
  private static void signedBy(String ca, String name) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name,
        "-validity", "2", "-keystore", p12(name));
    Path csr = dir.resolve(name + ".csr");
    keytool("-certreq", "-alias", name, "-keystore", p12(name), "-file", csr.toString());
    keytool("-gencert", "-alias", ca, "-keystore", p12(ca), "-infile", csr.toString(), "-outfile", pem(name),
        "-rfc", "-validity", "2", "-ext", "ku=digitalSignature,keyEncipherment", "-ext", "eku=serverAuth,clientAuth",
        "-ext", "san=ip:127.0.0.1");
    writeKey(name);
  }

  private static void selfSigned(String name) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name,
        "-validity", "2", "-keystore", p12(name));
    keytool("-exportcert", "-rfc", "-alias", name, "-keystore", p12(name), "-file", pem(name));
    writeKey(name);
  }

  /** keytool cannot write a private key: read it from the PKCS#12 store and write it as PKCS#8 PEM. */
  private static void writeKey(String name) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(Path.of(p12(name)))) {
      store.load(in, PASSWORD.toCharArray());
    }
    Key key = store.getKey(name, PASSWORD.toCharArray());
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
    Files.writeString(Path.of(key(name)), "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    if (!args[0].equals("-exportcert")) {
      command.addAll(List.of("-keypass", PASSWORD));
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool hung: " + command);
    assertEquals(0, process.exitValue(), () -> String.join(" ", command) + "\n" + output);
  }
}
