package io.parley.bench;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Opens users with at most {@code concurrency} set-ups in flight: connect, WebSocket handshake, {@code auth}, then
 * {@code join} each of the user's rooms in turn, each step waiting for its {@code ok}. With the token in the URL
 * the node authenticates during the handshake and sends no {@code ok} for it: the first join goes at once (the node
 * holds requests until the token is verified).
 */
final class Opener {

  /** How one user connects: where, its token, the fields of its {@code auth} and of each {@code join}. */
  record Plan(int user, URI url, int node, String token, String authFields, List<String> joinFields) {

    static Plan of(int user, URI url, int node, String token, List<String> rooms) {
      return new Plan(user, url, node, token, "\"token\":\"" + token + "\"",
          rooms.stream().map(room -> "\"room\":\"" + room + "\"").toList());
    }

    /** User {@code user} on node {@code user mod n}: how every scenario spreads its users over the {@code --url}s. */
    static Plan spread(int user, List<URI> urls, String token, List<String> rooms) {
      int node = user % urls.size();
      return of(user, urls.get(node), node, token, rooms);
    }
  }

  /**
   * Every plan, made before the connect phase: minting a token (an HMAC and two base64 encodings) and building
   * the request fields would otherwise be timed as part of the connect rate.
   */
  static Plan[] plans(int count, IntFunction<Plan> plan) {
    Plan[] plans = new Plan[count];
    for (int i = 0; i < count; i++) {
      plans[i] = plan.apply(i);
    }
    return plans;
  }

  private final WsClient client;
  private final FrameListener listener;
  private final int concurrency;
  private final boolean tokenInUrl;
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  final AtomicReference<String> firstFailure = new AtomicReference<>();
  /** Time of each set-up step: TCP connect plus WebSocket handshake, auth reply, each join reply. */
  final Latency handshake = new Latency();
  final Latency auth = new Latency();
  final Latency join = new Latency();

  Opener(WsClient client, FrameListener listener, int concurrency) {
    this(client, listener, concurrency, false);
  }

  /** {@code tokenInUrl}: each user's token goes in its WebSocket URL instead of an {@code auth} frame. */
  Opener(WsClient client, FrameListener listener, int concurrency, boolean tokenInUrl) {
    this.client = client;
    this.listener = listener;
    this.concurrency = concurrency;
    this.tokenInUrl = tokenInUrl;
  }

  /**
   * Opens the users of {@code plans} and stores each open connection at its plan's position in {@code out};
   * completes when every set-up has succeeded or failed.
   */
  CompletableFuture<Void> openAll(Plan[] plans, WsConnection[] out) {
    int count = plans.length;
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (count == 0) {
      done.complete(null);
      return done;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      int position = next.getAndIncrement();
      if (position >= count) {
        return;
      }
      open(plans[position]).whenComplete((connection, error) -> {
        if (error == null) {
          out[position] = connection;
          opened.incrementAndGet();
        } else {
          failed.incrementAndGet();
          firstFailure.compareAndSet(null, String.valueOf(error.getCause() != null ? error.getCause() : error));
        }
        if (finished.incrementAndGet() == count) {
          done.complete(null);
        } else {
          launch[0].run();
        }
      });
    };
    for (int i = 0; i < Math.min(concurrency, count); i++) {
      launch[0].run();
    }
    return done;
  }

  /** {@code handshake_p50=.. handshake_p99=.. auth_p50=.. ...}: where the set-up time goes. */
  String stepSummary() {
    return step("handshake_", handshake) + " " + step("auth_", auth) + " " + step("join_", join);
  }

  private static String step(String name, Latency latency) {
    org.HdrHistogram.Histogram h = latency.total();
    return name + "p50=" + Latency.ms(h, 50) + " " + name + "p99=" + Latency.ms(h, 99);
  }

  private CompletableFuture<WsConnection> open(Plan plan) {
    long start = System.nanoTime();
    CompletableFuture<WsConnection> connected =
        client.connect(plan.url(), tokenInUrl ? plan.token() : null, plan.node(), plan.user(), listener);
    return connected.thenCompose(c -> {
      long authStart = System.nanoTime();
      handshake.recordNanos(authStart - start);
      CompletableFuture<String> step = tokenInUrl
          ? CompletableFuture.completedFuture("")
          : c.request("auth", plan.authFields()).whenComplete((ok, e) -> auth.recordNanos(System.nanoTime() - authStart));
      for (String room : plan.joinFields()) {
        step = step.thenCompose(ok -> {
          long joinStart = System.nanoTime();
          return c.request("join", room)
              .whenComplete((ok2, e) -> join.recordNanos(System.nanoTime() - joinStart));
        });
      }
      return step.thenApply(ok -> c).whenComplete((ok, error) -> {
        if (error != null) {
          c.close();
        }
      });
    });
  }
}
