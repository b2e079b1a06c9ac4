package io.parley.cluster;

import io.parley.protocol.Frames;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * What crosses nodes for a room: one clustered event-bus address per room, carrying already-encoded push
 * frames. Room messages carry their seq in a header so receivers can restore order without parsing the frame.
 */
public final class RoomBus {

  public static final String SEQ_HEADER = "seq";
  private static final String ADDRESS_PREFIX = "parley.room.";

  private final EventBus eventBus;

  public RoomBus(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  public static String address(String room) {
    return ADDRESS_PREFIX + room;
  }

  public void publishMessage(String room, long seq, String frame) {
    eventBus.publish(address(room), frame, new DeliveryOptions().addHeader(SEQ_HEADER, Long.toString(seq)));
  }

  public void publishPresence(String room, String user, boolean joined) {
    eventBus.publish(address(room), Frames.presence(room, user, joined));
  }
}
