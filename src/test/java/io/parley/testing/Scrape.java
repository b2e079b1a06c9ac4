package io.parley.testing;

import io.parley.ParleyNode;
import io.vertx.core.Vertx;

/** Reads one series from a node's {@code /metrics}, as a Prometheus scrape would. */
public final class Scrape {

  private Scrape() {
  }

  /** The value of the series named exactly {@code series} (name and labels, as printed), 0 when absent. */
  public static double value(Vertx vertx, ParleyNode node, String series) {
    return Http.get(vertx, node.port(), "/metrics").body().lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** How many requests or sessions {@code limit} refused on the node ({@code parley_limits_refused_total}). */
  public static double refused(Vertx vertx, ParleyNode node, String limit) {
    return value(vertx, node, "parley_limits_refused_total{limit=\"" + limit + "\"}");
  }

  /** The node's count of the cluster's streams of {@code kind} (room or user). */
  public static double streams(Vertx vertx, ParleyNode node, String kind) {
    return value(vertx, node, "parley_streams{kind=\"" + kind + "\"}");
  }
}
