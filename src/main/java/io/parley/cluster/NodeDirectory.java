package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The cluster's nodes as operators see them ({@code GET /api/nodes} on any node): each node refreshes its own
 * entry (address, start time, connections, rooms) every few seconds; an entry of a node gone silent expires.
 */
public final class NodeDirectory {

  static final String MAP_NAME = "parley.nodes";
  public static final long REFRESH_MS = 2000;
  private static final long TTL_MS = 5 * REFRESH_MS;

  private final IMap<String, String> nodes;
  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private final String nodeId;
  private final long startedAt = System.currentTimeMillis();

  public NodeDirectory(HazelcastInstance hazelcast, Vertx vertx, String nodeId) {
    this.nodes = hazelcast.getMap(MAP_NAME);
    this.hazelcast = hazelcast;
    this.vertx = vertx;
    this.nodeId = nodeId;
  }

  /** Publishes this node's figures now and every {@link #REFRESH_MS}; returns the timer id. */
  public long advertise(String url, Supplier<Integer> connections, Supplier<Integer> rooms) {
    Runnable refresh = () -> {
      JsonObject entry = new JsonObject()
          .put("node", nodeId)
          .put("url", url)
          .put("cluster", hazelcast.getCluster().getLocalMember().getAddress().toString())
          .put("startedAt", startedAt)
          .put("connections", connections.get())
          .put("rooms", rooms.get());
      ClusterCalls.async(vertx, () -> nodes.setAsync(nodeId, entry.encode(), TTL_MS, TimeUnit.MILLISECONDS));
    };
    refresh.run();
    return vertx.setPeriodic(REFRESH_MS, t -> refresh.run());
  }

  public Future<Void> withdraw() {
    return ClusterCalls.async(vertx, () -> nodes.removeAsync(nodeId)).mapEmpty();
  }

  /** The current members' entries, each with its uptime. */
  public Future<JsonArray> list() {
    Set<String> members = hazelcast.getCluster().getMembers().stream()
        .map(ClusterSetup::nodeIdOf).collect(Collectors.toSet());
    return vertx.executeBlocking(() -> nodes.getAll(members), false).map(entries -> {
      long now = System.currentTimeMillis();
      JsonArray list = new JsonArray();
      entries.values().stream().map(JsonObject::new)
          .sorted((a, b) -> a.getString("url").compareTo(b.getString("url")))
          .forEach(entry -> list.add(entry.put("uptimeMs", now - entry.getLong("startedAt"))));
      return list;
    });
  }
}
