package io.parley.process;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares cluster presence, as every node answers it, with the truth: for each room, the users with a live
 * session joined to it (over all nodes). A user missing is invisible, a user too many is a ghost.
 */
final class PresenceChecker {

  private final List<NodeHttp> nodes;

  PresenceChecker(List<NodeHttp> nodes) {
    this.nodes = nodes;
  }

  /** Every difference between what the nodes say and {@code truth} (room → users); empty when they agree. */
  List<String> differences(Map<String, Set<String>> truth) {
    List<String> differences = new ArrayList<>();
    for (NodeHttp node : nodes) {
      for (Map.Entry<String, Set<String>> room : truth.entrySet()) {
        NodeHttp.Reply reply = node.get("/api/rooms/" + room.getKey() + "/presence");
        if (reply.status() != 200) {
          differences.add(node + " " + room.getKey() + ": HTTP " + reply.status());
          continue;
        }
        Set<String> seen = new JsonObject(reply.body()).getJsonArray("users").stream().map(String::valueOf)
            .collect(Collectors.toCollection(TreeSet::new));
        Set<String> ghosts = new TreeSet<>(seen);
        ghosts.removeAll(room.getValue());
        Set<String> invisible = new TreeSet<>(room.getValue());
        invisible.removeAll(seen);
        if (!ghosts.isEmpty() || !invisible.isEmpty()) {
          differences.add(node + " " + room.getKey() + ": ghosts " + ghosts + ", invisible " + invisible);
        }
      }
    }
    return differences;
  }
}
