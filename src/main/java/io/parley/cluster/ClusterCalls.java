package io.parley.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Bridges Hazelcast's asynchronous calls to Vert.x futures completed on the caller's context. Hazelcast may also
 * throw at once (for example once its instance is shutting down): that becomes a failed future too.
 */
final class ClusterCalls {

  private ClusterCalls() {
  }

  static <T> Future<T> async(Vertx vertx, Supplier<CompletionStage<T>> call) {
    try {
      return Future.fromCompletionStage(call.get(), vertx.getOrCreateContext());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
