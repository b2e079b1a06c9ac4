package io.parley.cluster;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.IndeterminateOperationStateException;
import io.vertx.core.VertxException;

import java.util.concurrent.RejectedExecutionException;

/** Tells failures of the cluster (retry later: {@code unavailable}) from bugs ({@code internal}). */
public final class ClusterFailures {

  private ClusterFailures() {
  }

  /** The member that ran a write died before answering: it may or may not have been done. */
  public static boolean isIndeterminate(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IndeterminateOperationStateException) {
        return true;
      }
    }
    return false;
  }

  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof HazelcastException || t instanceof RejectedExecutionException
          || t instanceof VertxException && String.valueOf(t.getMessage()).contains("closed")) {
        return true;
      }
    }
    return false;
  }
}
