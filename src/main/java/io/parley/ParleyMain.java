package io.parley;

import io.parley.auth.SecretResolver;
import io.parley.auth.TokenMinter;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The launcher: {@code run} starts a node and drains it on SIGTERM; {@code token} prints a signed JWT;
 * {@code help} and {@code version} print the usage and the version.
 */
public final class ParleyMain {

  private static final Logger log = LoggerFactory.getLogger(ParleyMain.class);

  private ParleyMain() {
  }

  public static void main(String[] args) {
    LaunchArgs launch;
    ParleyConfig config;
    try {
      launch = LaunchArgs.parse(args);
    } catch (RuntimeException e) {
      System.err.println("parley: " + e.getMessage());
      System.err.println(LaunchArgs.usage());
      System.exit(2);
      return;
    }
    // asked for, help and version go to stdout with exit code 0, before (and whatever) the configuration
    if (launch.command().equals(LaunchArgs.HELP)) {
      System.out.println(LaunchArgs.usage());
      return;
    }
    if (launch.command().equals(LaunchArgs.VERSION)) {
      System.out.println("parley " + LaunchArgs.version());
      return;
    }
    try {
      JsonObject settings = ConfigLoader.load(launch.configFile(), System.getenv());
      LogFormat.apply(settings.getJsonObject("log").getString("format"));
      config = ParleyConfig.from(settings);
    } catch (RuntimeException e) {
      System.err.println("parley: " + e.getMessage());
      System.err.println(LaunchArgs.usage());
      System.exit(2);
      return;
    }
    switch (launch.command()) {
      case "run" -> run(config);
      case "token" -> printToken(launch, config);
      default -> {
        System.err.println("parley: unknown command " + launch.command());
        System.err.println(LaunchArgs.usage());
        System.exit(2);
      }
    }
  }

  private static void run(ParleyConfig config) {
    ParleyNode.start(config)
        .onSuccess(ParleyMain::drainOnShutdown)
        .onFailure(e -> {
          log.error("event=start_failed error={}", e.getMessage());
          System.exit(1);
        });
  }

  /** SIGTERM (or Ctrl-C): drain, leave the cluster, and let the JVM exit within the grace period. */
  private static void drainOnShutdown(ParleyNode node) {
    long graceMs = node.config().shutdown().gracePeriodMs();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      CountDownLatch drained = new CountDownLatch(1);
      node.drain().onComplete(r -> drained.countDown());
      try {
        if (!drained.await(graceMs, TimeUnit.MILLISECONDS)) {
          log.warn("event=drain_timeout grace_ms={}", graceMs);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "parley-drain"));
  }

  private static void printToken(LaunchArgs launch, ParleyConfig config) {
    if (launch.positional().size() != 1) {
      System.err.println("parley: token needs exactly one USER");
      System.err.println(LaunchArgs.usage());
      System.exit(2);
    }
    String secret;
    try {
      secret = SecretResolver.resolve(config.auth());
    } catch (RuntimeException e) {
      System.err.println("parley: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (secret == null) {
      System.err.println("parley: the token command signs HS256 tokens: configure auth.jwt.secret");
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println(new TokenMinter(vertx, secret, config.auth().issuer(), config.auth().audience()).mint(launch.positional().get(0), launch.admin(),
          launch.ttlSeconds(), launch.rooms(), launch.publish()));
    } finally {
      vertx.close();
    }
  }
}
