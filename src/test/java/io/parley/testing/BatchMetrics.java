package io.parley.testing;

import io.parley.ParleyNode;
import io.vertx.core.Vertx;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A node's {@code parley_fanout_batch_pushes} summary as its /metrics shows it: batches and the pushes in them. */
public record BatchMetrics(double batches, double pushes) {

  private static final Pattern SERIES = Pattern.compile("(?m)^parley_fanout_batch_pushes_(count|sum) ([0-9.E]+)$");

  public static BatchMetrics of(Vertx vertx, ParleyNode node) {
    Http.Reply reply = Http.get(vertx, node.port(), "/metrics");
    assertEquals(200, reply.status());
    double[] series = new double[2];
    Matcher matcher = SERIES.matcher(reply.body());
    int found = 0;
    while (matcher.find()) {
      series[matcher.group(1).equals("count") ? 0 : 1] = Double.parseDouble(matcher.group(2));
      found++;
    }
    assertEquals(2, found, "parley_fanout_batch_pushes_count and _sum on /metrics");
    return new BatchMetrics(series[0], series[1]);
  }

  /** What was added since {@code before}. */
  public BatchMetrics since(BatchMetrics before) {
    return new BatchMetrics(batches - before.batches, pushes - before.pushes);
  }
}
