package io.parley.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The atomic presence changes, run by Hazelcast on the partition that owns the room's entry. */
final class PresenceProcessors {

  private PresenceProcessors() {
  }

  /** Whether a join or leave changed the room's users (first or last session), and how many there are now. */
  record Change(boolean changed, int users) implements java.io.Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
  }

  /** Adds a session; changed when it is the user's first in the room. */
  record Join(String user, String sessionKey) implements EntryProcessor<String, RoomPresence, Change> {
    @Serial
    private static final long serialVersionUID = 2L;

    @Override
    public Change process(Map.Entry<String, RoomPresence> entry) {
      RoomPresence presence = entry.getValue() == null ? new RoomPresence() : entry.getValue();
      boolean first = presence.add(user, sessionKey);
      entry.setValue(presence);
      return new Change(first, presence.userCount());
    }
  }

  /** Removes a session; changed when it was the user's last in the room. */
  record Leave(String user, String sessionKey) implements EntryProcessor<String, RoomPresence, Change> {
    @Serial
    private static final long serialVersionUID = 2L;

    @Override
    public Change process(Map.Entry<String, RoomPresence> entry) {
      RoomPresence presence = entry.getValue();
      if (presence == null) {
        return new Change(false, 0);
      }
      boolean last = presence.remove(user, sessionKey);
      entry.setValue(presence.isEmpty() ? null : presence);
      return new Change(last, presence.userCount());
    }
  }

  /**
   * The users in the room, each once, sorted. Read where the room is stored: a plain get would copy every
   * session of every user across, where only the names are wanted.
   */
  record Users() implements EntryProcessor<String, RoomPresence, List<String>>, ReadOnly {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public List<String> process(Map.Entry<String, RoomPresence> entry) {
      return entry.getValue() == null ? new ArrayList<>() : entry.getValue().users();
    }
  }

  /** The room's user count and its first {@code max} users. */
  record Listed(int max) implements EntryProcessor<String, RoomPresence, PresenceListing>, ReadOnly {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public PresenceListing process(Map.Entry<String, RoomPresence> entry) {
      return entry.getValue() == null ? new PresenceListing(0, new ArrayList<>()) : entry.getValue().listed(max);
    }
  }

  /** Removes every session of a departed node; returns the users who left the room with it. */
  record RemoveNode(String nodeId) implements EntryProcessor<String, RoomPresence, List<String>> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public List<String> process(Map.Entry<String, RoomPresence> entry) {
      RoomPresence presence = entry.getValue();
      if (presence == null) {
        return new ArrayList<>();
      }
      List<String> gone = presence.removeNode(nodeId);
      // a user may still be present through another node's session: write back whatever changed
      entry.setValue(presence.isEmpty() ? null : presence);
      return gone;
    }
  }
}
