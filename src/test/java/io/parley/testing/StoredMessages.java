package io.parley.testing;

import io.parley.ParleyNode;
import io.parley.cluster.RoomHistory;
import io.parley.protocol.Frames;
import io.parley.store.MemoryStore;

/** Stores a room message as a publish does (into history) without putting it on the event bus. */
public final class StoredMessages {

  private StoredMessages() {
  }

  /** Returns the frame for the seq the message got, for the test to put on the bus itself (or not). */
  public static String store(ParleyNode node, String room, String body) {
    RoomHistory history = new RoomHistory(node.hazelcast(), node.vertx(), node.config().history(),
        new MemoryStore(), node.config().store().memoryMessages());
    String stored = Frames.storedMessage("tester", body, System.currentTimeMillis());
    long seq = history.append(room, stored).await().seq();
    return Frames.roomMessage(room, seq, stored);
  }
}
