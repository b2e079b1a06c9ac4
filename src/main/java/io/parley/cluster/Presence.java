package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cluster-wide presence: which users are in which room, through which sessions on which nodes. A user's first
 * session joining and last session leaving a room are published as {@code presence} pushes. When a node leaves
 * or dies, the survivors remove its sessions (idempotently: whichever survivor gets there first reports the
 * departures, the others find nothing left to remove).
 */
public final class Presence {

  static final String MAP_NAME = "parley.presence";
  private static final Logger log = LoggerFactory.getLogger(Presence.class);

  private final IMap<String, RoomPresence> rooms;
  private final RoomBus bus;
  private final Vertx vertx;
  private final String nodeId;

  public Presence(HazelcastInstance hazelcast, RoomBus bus, Vertx vertx, String nodeId) {
    this.rooms = hazelcast.getMap(MAP_NAME);
    this.bus = bus;
    this.vertx = vertx;
    this.nodeId = nodeId;
  }

  public Future<Void> join(String room, String user, String sessionId) {
    return ClusterCalls.async(vertx, () -> rooms.submitToKey(room, new PresenceProcessors.Join(user, key(sessionId))))
        .map(change -> {
          if (change.changed()) {
            bus.publishPresence(room, user, true, change.users());
          }
          return null;
        });
  }

  public Future<Void> leave(String room, String user, String sessionId) {
    return ClusterCalls.async(vertx, () -> rooms.submitToKey(room, new PresenceProcessors.Leave(user, key(sessionId))))
        .map(change -> {
          if (change.changed()) {
            bus.publishPresence(room, user, false, change.users());
          }
          return null;
        });
  }

  /** How many users are in the room, and the first {@code max} of them (sorted). */
  public Future<PresenceListing> listed(String room, int max) {
    return ClusterCalls.async(vertx, () -> rooms.submitToKey(room, new PresenceProcessors.Listed(max)));
  }

  /** The users in a room, each once, sorted. */
  public Future<List<String>> users(String room) {
    return ClusterCalls.async(vertx, () -> rooms.submitToKey(room, new PresenceProcessors.Users()));
  }

  /** A member left or died: remove its sessions and push the resulting leaves. */
  public void removeNode(String departed) {
    vertx.executeBlocking(() -> rooms.executeOnEntries(new PresenceProcessors.RemoveNode(departed)), false)
        .onSuccess(result -> publishDepartures(departed, result))
        .onFailure(e -> log.warn("event=presence_cleanup_failed node={} error={}", departed, e.toString()));
  }

  private void publishDepartures(String departed, Map<String, List<String>> goneByRoom) {
    int count = 0;
    for (Map.Entry<String, List<String>> room : goneByRoom.entrySet()) {
      for (String user : room.getValue()) {
        bus.publishPresence(room.getKey(), user, false);
        count++;
      }
    }
    log.info("event=presence_cleanup node={} departed={} users_left={}", nodeId, departed, count);
  }

  /**
   * Makes this node's sessions in {@code room} exactly {@code sessionIdsByUser} and pushes the joins and leaves
   * that changes. Idempotent: a split-brain repair re-announces with it (see {@link MergeRepair}).
   */
  public Future<Void> setNodeSessions(String room, Map<String, Set<String>> sessionIdsByUser) {
    HashMap<String, HashSet<String>> keys = new HashMap<>();
    sessionIdsByUser.forEach((user, ids) -> {
      HashSet<String> userKeys = new HashSet<>();
      ids.forEach(id -> userKeys.add(key(id)));
      keys.put(user, userKeys);
    });
    return ClusterCalls.async(vertx, () -> rooms.submitToKey(room,
            new PresenceRepairProcessors.SetNodeSessions(nodeId, keys)))
        .map(changes -> {
          changes.joined().forEach(user -> bus.publishPresence(room, user, true));
          changes.left().forEach(user -> bus.publishPresence(room, user, false));
          return null;
        });
  }

  /**
   * Drops this node's sessions from every room not among {@code liveRooms}, and every session of a node not
   * among {@code members}, pushing the leaves. Idempotent, like {@link #setNodeSessions}.
   */
  public Future<Void> dropStaleSessions(Set<String> liveRooms, Set<String> members) {
    PresenceRepairProcessors.DropStale drop =
        new PresenceRepairProcessors.DropStale(nodeId, new HashSet<>(liveRooms), new HashSet<>(members));
    return vertx.executeBlocking(() -> rooms.executeOnEntries(drop), false)
        .map(goneByRoom -> {
          goneByRoom.forEach((room, users) -> users.forEach(user -> bus.publishPresence(room, user, false)));
          return null;
        });
  }

  private String key(String sessionId) {
    return nodeId + "/" + sessionId;
  }
}
