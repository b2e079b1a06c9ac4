package io.parley.hub;

import io.parley.cluster.StreamPosition;
import io.parley.cluster.UserBus;
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

  private final ConcurrentHashMap<String, Set<UserEndpoint>> byUser = new ConcurrentHashMap<>();

  /** Listens on this node's address for pushes to a user's sessions here; answers how many it reached. */
  public MessageConsumer<String> listen(EventBus eventBus, String nodeId) {
    return eventBus.consumer(UserBus.nodeAddress(nodeId), message -> message.reply(handTo(UserBus.Push.of(message))));
  }

  /** Listens for cluster-wide disconnects of a user. */
  public MessageConsumer<String> listenForDisconnects(EventBus eventBus) {
    return eventBus.consumer(UserBus.DISCONNECT_ADDRESS, message -> {
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

  /**
   * Some of the cluster's partitions lost every copy: with no store, the user streams there begin new epochs.
   * Every local session checks its user's stream (PROTOCOL.md 1.1 {@code reset}).
   */
  public void checkEpochs() {
    byUser.values().forEach(endpoints -> endpoints.forEach(
        endpoint -> endpoint.context().runOnContext(v -> endpoint.checkStreamEpoch())));
  }

  private int handTo(UserBus.Push push) {
    Set<UserEndpoint> endpoints = byUser.get(push.user());
    if (endpoints == null) {
      return 0;
    }
    int count = 0;
    for (UserEndpoint endpoint : endpoints) {
      count++;
      if (!endpoint.id().equals(push.originSession())) {
        StreamPosition position = push.position();
        endpoint.context().runOnContext(v -> endpoint.onPrivateMessage(position, push.frame()));
      }
    }
    return count;
  }
}
