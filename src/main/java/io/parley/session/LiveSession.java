package io.parley.session;

import java.util.Set;

/** An authenticated session open on this node, as a split-brain repair re-announces it to the cluster. */
public record LiveSession(String id, String user, Set<String> rooms) {
}
