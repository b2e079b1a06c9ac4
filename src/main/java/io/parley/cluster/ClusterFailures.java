package io.parley.cluster;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.parley.store.StoreUnavailableException;
import io.vertx.core.VertxException;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/** Tells failures of the cluster or the store (retry later: {@code unavailable}) from bugs ({@code internal}). */
public final class ClusterFailures {

  private ClusterFailures() {
  }

  /** The member that ran a write died before answering: it may or may not have been done. */
  public static boolean isIndeterminate(Throwable failure) {
    return anyCause(failure, t -> t instanceof IndeterminateOperationStateException);
  }

  /** This node is in a minority (see {@link ClusterQuorum}): another node may serve it. */
  public static boolean isMinority(Throwable failure) {
    return anyCause(failure, t -> t instanceof SplitBrainProtectionException);
  }

  /** Hazelcast, the event bus or the store cannot serve it now: the client retries ({@code unavailable}). */
  public static boolean isUnavailable(Throwable failure) {
    // SplitBrainProtectionException is a HazelcastException too: named so that no refactoring loses it
    return anyCause(failure, t -> t instanceof SplitBrainProtectionException || t instanceof HazelcastException
        || t instanceof StoreUnavailableException
        || t instanceof RejectedExecutionException
        || t instanceof VertxException && String.valueOf(t.getMessage()).contains("closed"));
  }

  /** Whether the failure or any of its causes is one of {@code kind}. */
  private static boolean anyCause(Throwable failure, Predicate<Throwable> kind) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (kind.test(t)) {
        return true;
      }
    }
    return false;
  }
}
