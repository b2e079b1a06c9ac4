package io.parley.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A network split on loopback made with iptables: every TCP connection between one node process (the minority)
 * and the cluster ports of the others is dropped, in both directions, while the test's own HTTP and WebSocket
 * connections to every node go on.
 *
 * <p>Addresses alone cannot tell the minority's connections apart: the kernel gives a loopback socket that does not
 * bind (Vert.x's event-bus client) the source 127.0.0.1 whatever its process. So the minority runs under a group id
 * of its own ({@code setpriv --regid}, still uid 0), and packets are told apart by owner: the first packet seen of a
 * connection between the minority and a majority cluster port marks that connection (conntrack), then every packet
 * of a marked connection is dropped, whichever side sends it. Only the OUTPUT chain is touched (on loopback every
 * packet passes it once), each rule names this run's group, mark and ports, and {@link #heal()} deletes exactly
 * what {@link #cut()} added; a shutdown hook does the same should the JVM end first.
 */
final class LoopbackPartition implements AutoCloseable {

  private final int groupId;
  private final String mark;
  private final String comment;
  private final List<List<String>> rules;
  private final Thread reaper = new Thread(this::heal, "iptables-reaper");
  private boolean cut;

  /**
   * @param minorityAddress the minority's cluster address (its Hazelcast client sockets bind it)
   * @param minorityPorts   the minority's Hazelcast and event-bus ports
   * @param majorityPorts   the other nodes' Hazelcast and event-bus ports
   */
  LoopbackPartition(int groupId, String minorityAddress, List<Integer> minorityPorts, List<Integer> majorityPorts) {
    this.groupId = groupId;
    this.mark = "0x" + Integer.toHexString(0x5b000 + ThreadLocalRandom.current().nextInt(0xfff));
    this.comment = "parley-split-test-" + groupId;
    String minority = ports(minorityPorts);
    String majority = ports(majorityPorts);
    String group = Integer.toString(groupId);
    this.rules = List.of(
        // the minority's own connections to the majority's listeners, and its answers on connections they opened
        markRule("-m", "owner", "--gid-owner", group, "-m", "multiport", "--dports", majority),
        markRule("-m", "owner", "--gid-owner", group, "-m", "multiport", "--sports", minority),
        // the majority's connections to the minority's listeners, and answers to its bound Hazelcast sockets
        markRule("-d", minorityAddress, "-m", "multiport", "--dports", minority),
        markRule("-d", minorityAddress, "-m", "multiport", "--sports", majority),
        List.of("-p", "tcp", "-m", "connmark", "--mark", mark, "-m", "comment", "--comment", comment, "-j", "DROP"));
  }

  /** The prefix that runs a command under the minority's group id (file access stays root's). */
  static List<String> launcher(int groupId) {
    return List.of("setpriv", "--regid=" + groupId, "--clear-groups");
  }

  /** A group id for one run, far from the system's. */
  static int freshGroupId() {
    return 40_000 + ThreadLocalRandom.current().nextInt(20_000);
  }

  /** True when this machine lets the test add iptables rules (root, iptables installed). */
  static boolean available() {
    try {
      return run(List.of("iptables", "-w", "-S", "OUTPUT")) == 0;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private List<String> markRule(String... match) {
    List<String> rule = new ArrayList<>(List.of("-p", "tcp"));
    rule.addAll(List.of(match));
    rule.addAll(List.of("-m", "comment", "--comment", comment, "-j", "CONNMARK", "--set-mark", mark));
    return rule;
  }

  private static String ports(List<Integer> ports) {
    return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  synchronized void cut() {
    if (cut) {
      return;
    }
    Runtime.getRuntime().addShutdownHook(reaper);
    cut = true;
    // inserted at the top, the DROP first so that the marking rules end up before it
    for (int i = rules.size() - 1; i >= 0; i--) {
      iptables("-I", rules.get(i), true);
    }
  }

  /** Removes every rule {@link #cut()} added; idempotent, never throws. */
  synchronized void heal() {
    if (!cut) {
      return;
    }
    cut = false;
    for (List<String> rule : rules) {
      iptables("-D", rule, false);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
  }

  /** The rules of this run still in the OUTPUT chain (none after {@link #heal()}). */
  List<String> remainingRules() {
    return listRules().stream().filter(line -> line.contains(comment)).toList();
  }

  @Override
  public void close() {
    heal();
  }

  int groupId() {
    return groupId;
  }

  private static void iptables(String action, List<String> rule, boolean strict) {
    List<String> command = new ArrayList<>(List.of("iptables", "-w", action, "OUTPUT"));
    if (action.equals("-I")) {
      command.add("1");
    }
    command.addAll(rule);
    int exit = run(command);
    if (exit != 0 && strict) {
      throw new IllegalStateException("failed (exit " + exit + "): " + String.join(" ", command));
    }
  }

  private static List<String> listRules() {
    try {
      Process process = new ProcessBuilder("iptables", "-w", "-S", "OUTPUT").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(10, TimeUnit.SECONDS);
      return out.lines().toList();
    } catch (IOException e) {
      throw new IllegalStateException("iptables -S failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static int run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().transferTo(System.out);
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return -1;
      }
      return process.exitValue();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
