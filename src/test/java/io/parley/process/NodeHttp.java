package io.parley.process;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Blocking HTTP to one node on its own loopback address: probes, metrics and the server API (admin token). */
final class NodeHttp {

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final String base;
  private final String adminToken;

  NodeHttp(String host, int port, String adminToken) {
    this.base = "http://" + host + ":" + port;
    this.adminToken = adminToken;
  }

  /** A GET; status 0 when the node did not answer in time. */
  Reply get(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + adminToken).GET().build();
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Reply(0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Reply(0, "interrupted");
    }
  }

  /** The value of an unlabelled gauge in {@code /metrics}, or NaN if absent or unreachable. */
  double metric(String name) {
    Reply metrics = get("/metrics");
    if (metrics.status() != 200) {
      return Double.NaN;
    }
    return metrics.body().lines().filter(line -> line.startsWith(name + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(name.length() + 1).trim())).orElse(Double.NaN);
  }

  @Override
  public String toString() {
    return base;
  }
}
