package io.parley.bench;

import java.util.List;

/**
 * Room pushes per write over a window, summed over the nodes: their {@code parley_fanout_batch_pushes} count and
 * sum read when the window opens and when it stops. Above 1 when busy loops or the nodes' batch intervals put
 * several pushes (messages, presence) into one write to each member.
 */
final class PushesPerWrite {

  private final List<NodeProbe> probes;
  /** {batches, pushes} when the window opened. */
  private final long[] atStart;
  private String figure = "-";

  /** Opens the window now. */
  PushesPerWrite(List<NodeProbe> probes) {
    this.probes = probes;
    this.atStart = read();
  }

  void stop() {
    long[] now = read();
    long batches = now[0] - atStart[0];
    if (batches > 0) {
      figure = String.format("%.2f", (double) (now[1] - atStart[1]) / batches);
    }
  }

  /** {@code node_pushes_per_batch=..} ({@code -} before {@link #stop} or without batches). */
  String summary() {
    return "node_pushes_per_batch=" + figure;
  }

  private long[] read() {
    long[] total = new long[2];
    for (NodeProbe probe : probes) {
      long[] reading = probe.fanoutBatches();
      total[0] += reading[0];
      total[1] += reading[1];
    }
    return total;
  }
}
