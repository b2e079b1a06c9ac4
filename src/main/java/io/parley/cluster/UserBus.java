package io.parley.cluster;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/**
 * What crosses nodes for users, as {@link RoomBus} is for rooms: each node's address for pushes of its users'
 * streams, with the headers that route and order them, and the cluster-wide disconnect address.
 */
public final class UserBus {

  /** Every node listens here: "close every session of this user". The body is the user id. */
  public static final String DISCONNECT_ADDRESS = "parley.users.disconnect";
  private static final String ADDRESS_PREFIX = "parley.node.";
  private static final String TO_HEADER = "to";
  private static final String ORIGIN_HEADER = "origin";
  private static final String SEQ_HEADER = "seq";
  private static final String EPOCH_HEADER = "epoch";

  private UserBus() {
  }

  public static String nodeAddress(String nodeId) {
    return ADDRESS_PREFIX + nodeId;
  }

  /**
   * A push of one message of {@code user}'s stream at {@code position}, for every session of the user on the
   * receiving node but {@code originSession} (which had the reply instead; "" for none).
   */
  static DeliveryOptions push(String user, String originSession, StreamPosition position, long timeoutMs) {
    return new DeliveryOptions()
        .addHeader(TO_HEADER, user)
        .addHeader(ORIGIN_HEADER, originSession)
        .addHeader(SEQ_HEADER, Long.toString(position.seq()))
        .addHeader(EPOCH_HEADER, position.epoch())
        .setSendTimeout(timeoutMs);
  }

  /** A received push, as its headers describe it. */
  public record Push(String user, String originSession, StreamPosition position, String frame) {

    public static Push of(Message<String> message) {
      return new Push(message.headers().get(TO_HEADER), message.headers().get(ORIGIN_HEADER),
          new StreamPosition(Long.parseLong(message.headers().get(SEQ_HEADER)), message.headers().get(EPOCH_HEADER)),
          message.body());
    }
  }
}
