package io.parley.hub;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's authenticated sessions by user, across all gateways, and the node's one event-bus consumer for
 * pushes of users' streams (not one per connection). A push goes to every local session of its user but the one
 * it came from (which had the reply instead).
 */
public final class LocalUsers {

  public static final String TO_HEADER = "to";
  public static final String ORIGIN_HEADER = "origin";
  /** The push's seq in its user's stream. */
  public static final String SEQ_HEADER = "seq";
  private static final String ADDRESS_PREFIX = "parley.node.";
  /** Every node listens here: "close every session of this user". */
  public static final String DISCONNECT_ADDRESS = "parley.users.disconnect";

  private final ConcurrentHashMap<String, Set<UserEndpoint>> byUser = new ConcurrentHashMap<>();

  public static String nodeAddress(String nodeId) {
    return ADDRESS_PREFIX + nodeId;
  }

  /** Listens on this node's address for pushes to a user's sessions here; answers how many it reached. */
  public MessageConsumer<String> listen(EventBus eventBus, String nodeId) {
    return eventBus.consumer(nodeAddress(nodeId), message -> message.reply(handTo(message.headers().get(TO_HEADER),
        message.headers().get(ORIGIN_HEADER), Long.parseLong(message.headers().get(SEQ_HEADER)), message.body())));
  }

  /** Listens for cluster-wide disconnects of a user. */
  public MessageConsumer<String> listenForDisconnects(EventBus eventBus) {
    return eventBus.consumer(DISCONNECT_ADDRESS, message -> {
      Set<UserEndpoint> endpoints = byUser.get(message.body());
      if (endpoints != null) {
        endpoints.forEach(endpoint -> endpoint.context().runOnContext(v -> endpoint.disconnectByServer()));
      }
    });
  }

  public void add(UserEndpoint endpoint) {
    byUser.computeIfAbsent(endpoint.user(), u -> ConcurrentHashMap.newKeySet()).add(endpoint);
  }

  public void remove(UserEndpoint endpoint) {
    byUser.computeIfPresent(endpoint.user(), (user, endpoints) -> {
      endpoints.remove(endpoint);
      return endpoints.isEmpty() ? null : endpoints;
    });
  }

  private int handTo(String user, String originSession, long seq, String frame) {
    Set<UserEndpoint> endpoints = byUser.get(user);
    if (endpoints == null) {
      return 0;
    }
    int count = 0;
    for (UserEndpoint endpoint : endpoints) {
      count++;
      if (!endpoint.id().equals(originSession)) {
        endpoint.context().runOnContext(v -> endpoint.onPrivateMessage(seq, frame));
      }
    }
    return count;
  }
}
