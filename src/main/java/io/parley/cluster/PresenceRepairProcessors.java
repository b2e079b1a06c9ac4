package io.parley.cluster;

import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * The changes a split-brain repair makes to presence ({@link MergeRepair}): each sets what it covers to a state
 * rather than adding to it, so running one twice changes nothing the second time.
 */
final class PresenceRepairProcessors {

  private PresenceRepairProcessors() {
  }

  private static String nodeOf(String sessionKey) {
    int slash = sessionKey.indexOf('/');
    return slash < 0 ? sessionKey : sessionKey.substring(0, slash);
  }

  /**
   * Makes the node's sessions in one room exactly {@code sessionKeysByUser} (user → {@code nodeId/sessionId}
   * keys); returns the users who thereby became present or stopped being present.
   */
  record SetNodeSessions(String nodeId, HashMap<String, HashSet<String>> sessionKeysByUser)
      implements EntryProcessor<String, RoomPresence, Changes> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Changes process(Map.Entry<String, RoomPresence> entry) {
      RoomPresence presence = entry.getValue() == null ? new RoomPresence() : entry.getValue();
      HashSet<String> before = new HashSet<>(presence.users());
      presence.removeNode(nodeId);
      sessionKeysByUser.forEach((user, keys) -> keys.forEach(key -> presence.add(user, key)));
      HashSet<String> after = new HashSet<>(presence.users());
      entry.setValue(presence.isEmpty() ? null : presence);
      ArrayList<String> joined = new ArrayList<>(after);
      joined.removeAll(before);
      ArrayList<String> left = new ArrayList<>(before);
      left.removeAll(after);
      return new Changes(joined, left);
    }
  }

  /**
   * For every room: drops the node's sessions unless the room is one of {@code liveRooms}, and every session of
   * a node that is not among {@code members} (its departure found no quorum to clean up, or was missed during the
   * split). Returns the users who thereby left the room.
   */
  record DropStale(String nodeId, HashSet<String> liveRooms, HashSet<String> members)
      implements EntryProcessor<String, RoomPresence, ArrayList<String>> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public ArrayList<String> process(Map.Entry<String, RoomPresence> entry) {
      RoomPresence presence = entry.getValue();
      if (presence == null) {
        return new ArrayList<>();
      }
      boolean live = liveRooms.contains(entry.getKey());
      boolean[] changed = {false};
      ArrayList<String> gone = presence.removeSessions(key -> {
        String node = nodeOf(key);
        boolean stale = !members.contains(node) || !live && node.equals(nodeId);
        changed[0] |= stale;
        return stale;
      });
      if (changed[0]) {
        // written back only when changed: most rooms hold nothing stale, and a write is a backup too
        entry.setValue(presence.isEmpty() ? null : presence);
      }
      return gone;
    }
  }

  /** Users who became present, and who stopped being present, in one room. */
  record Changes(ArrayList<String> joined, ArrayList<String> left) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
  }
}
