package io.parley.hub;

import io.parley.cluster.StreamPosition;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.Frames;
import io.parley.protocol.SharedFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One gateway's index of its sessions by room, touched only on that gateway's event loop. The first local
 * member of a room attaches this shard to the node's hub ({@link HubShards}); the last one out detaches it.
 */
public final class LocalRooms {

  private final Context context;
  private final HubShards hub;
  private final ParleyMetrics metrics;
  private final Map<String, Room> rooms = new HashMap<>();
  /** True while handing a frame to members: a member that closes then must not change the set under us. */
  private boolean delivering;

  public LocalRooms(Context context, HubShards hub, ParleyMetrics metrics) {
    this.context = context;
    this.hub = hub;
    this.metrics = metrics;
  }

  private static final class Room {
    final Set<RoomMember> members = new LinkedHashSet<>();
    Future<Void> ready;
    /** The last seq handed to members here (at first the hub's when this gateway attached): a new member's start. */
    long lastSeq;
    /** The epoch of {@link #lastSeq}. */
    String epoch;
  }

  Context context() {
    return context;
  }

  /**
   * Adds a member; completes on this gateway's loop once the node receives the room's messages, with the room's
   * seq up to which the member is not sent anything live: every later message reaches it. This saves a join the
   * history read of the room's latest seq, except for the first member on the node.
   */
  public Future<StreamPosition> add(String room, RoomMember member) {
    Room local = rooms.get(room);
    if (local == null) {
      local = new Room();
      rooms.put(room, local);
      Room attached = local;
      local.ready = onThisLoop(hub.attach(room, this)).map(position -> {
        // messages the hub sent after attaching may already have been handed out here
        if (attached.epoch == null) {
          attached.epoch = position.epoch();
        }
        if (attached.epoch.equals(position.epoch())) {
          attached.lastSeq = Math.max(attached.lastSeq, position.seq());
        }
        return null;
      });
      local.ready.onFailure(e -> {
        // nobody can be served through a failed subscription: forget it so the next join tries again
        if (rooms.get(room) == attached) {
          rooms.remove(room);
          hub.detach(room, this);
        }
      });
    }
    local.members.add(member);
    Room joined = local;
    return local.ready.map(v -> new StreamPosition(joined.lastSeq, joined.epoch));
  }

  /** Whether this gateway has a member of the room (or one joining it). */
  public boolean has(String room) {
    return rooms.containsKey(room);
  }

  public void remove(String room, RoomMember member) {
    if (delivering) {
      context.runOnContext(v -> remove(room, member));
      return;
    }
    Room local = rooms.get(room);
    if (local == null || !local.members.remove(member) || !local.members.isEmpty()) {
      return;
    }
    rooms.remove(room);
    hub.detach(room, this);
  }

  /**
   * Hands a batch of pushes to every local member, member by member, each member's writes flushed once: the
   * frame of each push (message or presence) is encoded once for all of them.
   */
  void deliver(String room, List<RoomPush> pushes) {
    Room local = rooms.get(room);
    if (local == null) {
      return;
    }
    SharedFrame[] shared = new SharedFrame[pushes.size()];
    for (int i = 0; i < shared.length; i++) {
      RoomPush push = pushes.get(i);
      shared[i] = new SharedFrame(push.frame());
      if (push.isReset()) {
        local.epoch = push.resetEpoch();
      }
      if (!push.isEvent()) {
        local.lastSeq = push.seq();
      }
    }
    delivering = true;
    try {
      for (RoomMember member : local.members) {
        for (int i = 0; i < shared.length; i++) {
          RoomPush push = pushes.get(i);
          if (push.isReset()) {
            member.onRoomReset(push.seq(), push.resetEpoch(), shared[i]);
          } else if (push.isEvent()) {
            member.onRoomEvent(shared[i]);
          } else {
            member.onRoomMessage(push.seq(), shared[i]);
          }
        }
        member.flush();
      }
    } finally {
      delivering = false;
      for (SharedFrame frame : shared) {
        frame.release();
      }
    }
    count(pushes, local.members.size());
  }

  private void count(List<RoomPush> pushes, int members) {
    metrics.fanoutBatch(pushes.size());
    for (RoomPush push : pushes) {
      if (push.isReset()) {
        metrics.framesOut("reset", members);
      } else if (push.isEvent()) {
        metrics.framesOut("presence", members);
      } else {
        metrics.delivered(members, Frames.tsOf(push.frame()));
      }
    }
  }

  private <T> Future<T> onThisLoop(Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> context.runOnContext(v -> promise.handle(result)));
    return promise.future();
  }
}
