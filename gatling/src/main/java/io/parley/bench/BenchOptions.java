package io.parley.bench;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line: {@code <scenario> --name value ...}; {@code --url} and {@code --node-pid} may repeat. Every
 * option has a default, so {@code fanout --node-pid 1234} is a complete command against a node on 127.0.0.1:8080.
 */
final class BenchOptions {

  static final String USAGE = """
      usage: Bench <idle|fanout|cluster|chat|history|publish|rejoin> [options]
        --url ws://127.0.0.1:8080/ws   node WebSocket endpoint; repeat for several nodes (cluster, chat, idle)
        --node-pid PID                  node process for RSS/CPU (/proc); repeat, in the order of --url
        --secret S                      HS256 secret (default: env PARLEY_AUTH_JWT_SECRET)
        --source 127.0.0.2-127.0.0.9    source addresses, a range or a comma list (28k ports each per node)
        --threads 2                     generator event-loop threads
        --concurrency 256               connection handshakes in flight at once
        --processes N                   idle: split the users over N child JVMs (default: one per 18,000 users)
        --publish-id true               false: publish without a request id (skips the node's retry de-dup)
        --run-id ID                     prefix of user ids and rooms (default: random); unique per run
      idle:    --users 5000 --hold 30 --rooms 250 --warmup-users 2000 --warmup-rounds 1 --url-token --gc --shard i/n --wait-connections M
      fanout:  --subscribers 1000 --publishers 1 --rate 100 --duration 60 --warmup 5
      cluster: fanout over every --url: subscribers round-robin, publishers on the first
      chat:    --users 10000 --rooms 500 --rate 500 --churn 50 --duration 60 --warmup 5
      history: --rooms 10000 --messages 10 --body-bytes 80 --expire-wait S (nodes' history.ttlMs below S)
      publish: --rooms 1000 --publishers 4 --concurrency 16 | --rate R (per publisher) --duration 30 --warmup 5
               --max-in-flight 10000 --body-bytes 0 --publish-id false; --per-room N fills N messages per room
      rejoin:  --room-prefix P --rooms 10 --since 0: joins P0..P(n-1) in turn with since, times each join's ok
      """;

  /** Options without a value. {@code --child} is internal: a {@code --processes} parent passes it to its children. */
  private static final Set<String> FLAGS = Set.of("gc", "child", "url-token");

  final String scenario;
  /** The command line as given, from which a {@code --processes} run builds its children's. */
  final List<String> arguments;
  private final Map<String, List<String>> values = new HashMap<>();

  private BenchOptions(String[] args) {
    this.scenario = args[0];
    this.arguments = List.of(args);
  }

  static BenchOptions parse(String[] args) {
    if (args.length == 0 || args[0].startsWith("-") || args[0].equals("help")) {
      throw new IllegalArgumentException("no scenario given");
    }
    BenchOptions options = new BenchOptions(args);
    for (int i = 1; i < args.length; i++) {
      String name = args[i];
      if (!name.startsWith("--")) {
        throw new IllegalArgumentException("expected an option, got " + name);
      }
      String key = name.substring(2);
      if (FLAGS.contains(key)) {
        options.values.computeIfAbsent(key, k -> new ArrayList<>()).add("true");
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      options.values.computeIfAbsent(key, k -> new ArrayList<>()).add(args[++i]);
    }
    return options;
  }

  /** The command line less the options named (with their values), for a child's command line. */
  List<String> argumentsWithout(Set<String> names) {
    List<String> out = new ArrayList<>(List.of(scenario));
    for (int i = 1; i < arguments.size(); i++) {
      String key = arguments.get(i).substring(2);
      boolean hasValue = !FLAGS.contains(key);
      if (!names.contains(key)) {
        out.add(arguments.get(i));
        if (hasValue) {
          out.add(arguments.get(i + 1));
        }
      }
      if (hasValue) {
        i++;
      }
    }
    return out;
  }

  String string(String name, String fallback) {
    List<String> list = values.get(name);
    return list == null ? fallback : list.get(list.size() - 1);
  }

  int integer(String name, int fallback) {
    return Integer.parseInt(string(name, Integer.toString(fallback)).replace("_", ""));
  }

  double number(String name, double fallback) {
    return Double.parseDouble(string(name, Double.toString(fallback)));
  }

  boolean flag(String name) {
    return values.containsKey(name);
  }

  List<URI> urls() {
    List<URI> urls = new ArrayList<>();
    for (String url : values.getOrDefault("url", List.of("ws://127.0.0.1:8080/ws"))) {
      urls.add(URI.create(url));
    }
    return urls;
  }

  /** One probe per {@code --url}, with the {@code --node-pid} given in the same position (-1 past the last one). */
  List<NodeProbe> probes() {
    List<URI> urls = urls();
    List<Integer> pids = nodePids();
    List<NodeProbe> probes = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      probes.add(new NodeProbe(i < pids.size() ? pids.get(i) : -1, urls.get(i)));
    }
    return probes;
  }

  private List<Integer> nodePids() {
    List<Integer> pids = new ArrayList<>();
    for (String pid : values.getOrDefault("node-pid", List.of())) {
      pids.add(Integer.parseInt(pid));
    }
    return pids;
  }

  /** {@code --run-id}, else a new one from the clock: it prefixes user ids and rooms, so runs never share them. */
  String runId() {
    return string("run-id", Long.toString(System.currentTimeMillis() % 10_000_000, 36));
  }

  String secret() {
    String secret = string("secret", System.getenv("PARLEY_AUTH_JWT_SECRET"));
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("no secret: set PARLEY_AUTH_JWT_SECRET or pass --secret");
    }
    return secret;
  }

  /** {@code a.b.c.x-a.b.c.y} (last octet range) or a comma list. */
  List<InetAddress> sources() {
    String spec = string("source", "127.0.0.2-127.0.0.9");
    List<InetAddress> out = new ArrayList<>();
    try {
      for (String part : spec.split(",")) {
        int dash = part.indexOf('-');
        if (dash < 0) {
          out.add(InetAddress.getByName(part.trim()));
          continue;
        }
        String from = part.substring(0, dash).trim();
        String to = part.substring(dash + 1).trim();
        String prefix = from.substring(0, from.lastIndexOf('.') + 1);
        int first = Integer.parseInt(from.substring(prefix.length()));
        int last = Integer.parseInt(to.substring(to.lastIndexOf('.') + 1));
        for (int octet = first; octet <= last; octet++) {
          out.add(InetAddress.getByName(prefix + octet));
        }
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad --source " + spec, e);
    }
    return out;
  }

  /** {@code --shard i/n}: this process takes the users whose index is i modulo n. */
  int[] shard() {
    String[] parts = string("shard", "0/1").split("/");
    int index = Integer.parseInt(parts[0]);
    int count = Integer.parseInt(parts[1]);
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("--shard must be i/n with 0 <= i < n");
    }
    return new int[] {index, count};
  }
}
