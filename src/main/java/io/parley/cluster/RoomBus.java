package io.parley.cluster;

import io.parley.protocol.Frames;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

import java.util.function.Predicate;

/**
 * What crosses nodes for a room: one clustered event-bus address per room, carrying already-encoded push
 * frames. Room messages carry their seq and epoch in headers so receivers can restore order without parsing the
 * frame.
 */
public final class RoomBus {

  public static final String SEQ_HEADER = "seq";
  /** The epoch of the message's seq: a member's node that sees it change knows the room's stream began anew. */
  public static final String EPOCH_HEADER = "epoch";
  private static final String ADDRESS_PREFIX = "parley.room.";

  private final EventBus eventBus;
  /** Marks a count push ({@code presence} with {@code count}): the receiving node coalesces them. */
  public static final String COUNT_HEADER = "count";
  private static final DeliveryOptions COUNT = new DeliveryOptions().addHeader(COUNT_HEADER, "1");

  /** Rooms configured without presence pushes ({@code history.rooms[].presence}) get none. */
  private final Predicate<String> presencePushes;
  /** {@code presence.maxPushMembers}: a bigger room gets its user count instead of each join and leave. */
  private final int maxPushMembers;

  public RoomBus(EventBus eventBus, Predicate<String> presencePushes, int maxPushMembers) {
    this.eventBus = eventBus;
    this.presencePushes = presencePushes;
    this.maxPushMembers = maxPushMembers;
  }

  public RoomBus(EventBus eventBus, Predicate<String> presencePushes) {
    this(eventBus, presencePushes, Integer.MAX_VALUE);
  }

  /**
   * A user's first session joined or last left a room that now has {@code users} users: above
   * {@code presence.maxPushMembers} members get the count (PROTOCOL.md 1.1), not a push per join and leave.
   */
  public void publishPresence(String room, String user, boolean joined, int users) {
    if (users > maxPushMembers) {
      if (presencePushes.test(room)) {
        eventBus.publish(address(room), Frames.presenceCount(room, users), COUNT);
      }
      return;
    }
    publishPresence(room, user, joined);
  }

  public static String address(String room) {
    return ADDRESS_PREFIX + room;
  }

  public void publishMessage(String room, StreamPosition position, String frame) {
    eventBus.publish(address(room), frame, new DeliveryOptions()
        .addHeader(SEQ_HEADER, Long.toString(position.seq()))
        .addHeader(EPOCH_HEADER, position.epoch()));
  }

  public void publishPresence(String room, String user, boolean joined) {
    if (!presencePushes.test(room)) {
      return;
    }
    eventBus.publish(address(room), Frames.presence(room, user, joined));
  }
}
