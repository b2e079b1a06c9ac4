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
  /** Rooms configured without presence pushes ({@code history.rooms[].presence}) get none. */
  private final Predicate<String> presencePushes;

  public RoomBus(EventBus eventBus, Predicate<String> presencePushes) {
    this.eventBus = eventBus;
    this.presencePushes = presencePushes;
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
