package io.parley.cluster;

import java.util.Set;

/** An authenticated session open on this node, as a repair of presence and routes re-announces it ({@link MergeRepair}). */
public record LiveSession(String id, String user, Set<String> rooms) {
}
