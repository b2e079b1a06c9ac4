package io.parley.cluster;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.IndeterminateOperationStateException;
import io.vertx.core.VertxException;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/** Tells failures of the cluster (retry later: {@code unavailable}) from bugs ({@code internal}). */
public final class ClusterFailures {

  private ClusterFailures() {
  }

  /** The member that ran a write died before answering: it may or may not have been done. */
  public static boolean isIndeterminate(Throwable failure) {
    return anyCause(failure, t -> t instanceof IndeterminateOperationStateException);
  }

  public static boolean isUnavailable(Throwable failure) {
    return anyCause(failure, t -> t instanceof HazelcastException || t instanceof RejectedExecutionException
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
