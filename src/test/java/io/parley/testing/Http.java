package io.parley.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;

import java.time.Duration;

/** Plain blocking HTTP GETs against a node on 127.0.0.1, for the operational endpoints. */
public final class Http {

  /** A response: its status and its body as text. */
  public record Reply(int status, String body) {
  }

  private Http() {
  }

  public static Reply get(Vertx vertx, int port, String path) {
    HttpClient http = vertx.createHttpClient();
    try {
      return TestNodes.await(http.request(HttpMethod.GET, port, "127.0.0.1", path)
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> new Reply(response.statusCode(), body.toString()))),
          Duration.ofSeconds(5));
    } finally {
      http.close();
    }
  }

  /** Sleeps without the checked exception (keeps the interrupt flag). */
  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
