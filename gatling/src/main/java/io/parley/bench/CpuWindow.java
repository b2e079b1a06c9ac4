package io.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * CPU readings over one measured window: every node, the generator (this process, or the children of a
 * {@code --processes} run), and the whole machine. Readings are -1 when unknown.
 */
final class CpuWindow {

  private final List<NodeProbe> nodes;
  private final LongSupplier generatorCpu;
  private final long[] node;
  private final long generator;
  private final long host;
  private final long start = System.nanoTime();
  private long[] nodeEnd;
  private long generatorEnd;
  private long hostEnd;
  private long wall;

  /** Takes the start readings; {@code generatorCpu} returns the generator's CPU time in nanoseconds. */
  CpuWindow(List<NodeProbe> nodes, LongSupplier generatorCpu) {
    this.nodes = nodes;
    this.generatorCpu = generatorCpu;
    this.node = nodeCpu();
    this.generator = generatorCpu.getAsLong();
    this.host = NodeProbe.hostBusyNanos();
  }

  /** A window whose generator is this process. */
  static CpuWindow ofThisProcess(List<NodeProbe> nodes) {
    return new CpuWindow(nodes, NodeProbe::selfCpuNanos);
  }

  /** Takes the end readings. */
  void stop() {
    nodeEnd = nodeCpu();
    generatorEnd = generatorCpu.getAsLong();
    hostEnd = NodeProbe.hostBusyNanos();
    wall = System.nanoTime() - start;
  }

  long wallNanos() {
    return wall;
  }

  /**
   * {@code node_cpu=.. gen_cpu=.. host_cpu=.. load1=..}: percentages of one core; host is all processes. With
   * {@code connections > 0} it adds {@code gen_cpu_per_conn}, the generator's CPU time per connection opened.
   */
  String summary(long connections) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < node.length; i++) {
      parts.add(percent(node[i], nodeEnd[i], wall));
    }
    String perConnection = "";
    if (connections > 0 && generator >= 0 && generatorEnd >= 0) {
      perConnection = String.format(" gen_cpu_per_conn=%.3fms", (generatorEnd - generator) / 1e6 / connections);
    }
    return "node_cpu=" + String.join("+", parts) + " gen_cpu=" + percent(generator, generatorEnd, wall)
        + perConnection + " host_cpu=" + percent(host, hostEnd, wall) + " load1=" + NodeProbe.loadAverage();
  }

  /** {@link #summary(long)} without the per-connection figure. */
  String summary() {
    return summary(0);
  }

  private long[] nodeCpu() {
    long[] cpu = new long[nodes.size()];
    for (int i = 0; i < cpu.length; i++) {
      cpu[i] = nodes.get(i).cpuNanos();
    }
    return cpu;
  }

  /** CPU used between two readings as a percentage of one core, or "-" when unknown. */
  private static String percent(long before, long after, long wallNanos) {
    if (before < 0 || after < 0 || wallNanos <= 0) {
      return "-";
    }
    return String.format("%.0f%%", 100.0 * (after - before) / wallNanos);
  }
}
