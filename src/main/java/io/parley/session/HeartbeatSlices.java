package io.parley.session;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A gateway's sessions, in slices that take turns at the heartbeat: each tick pings (or times out) one slice,
 * so every session is still pinged once per interval, but no single task writes to all of a loop's
 * connections. Sweeping them all at once held each event loop for 50–130 ms every interval at 2,500
 * connections per loop, and every delivery on the loop waited: that was the chat bench's p999.
 */
final class HeartbeatSlices<T> {

  /** About how often a slice's turn comes. */
  private static final long TARGET_TICK_MS = 100;

  private final List<Set<T>> slices = new ArrayList<>();
  private final long tickMs;
  private int next;
  private int size;

  HeartbeatSlices(long intervalMs) {
    int count = (int) Math.max(1, intervalMs / TARGET_TICK_MS);
    for (int i = 0; i < count; i++) {
      slices.add(new LinkedHashSet<>());
    }
    this.tickMs = Math.max(1, intervalMs / count);
  }

  /** How often {@link #nextSlice} is to be called for each session to come round once per interval. */
  long tickMs() {
    return tickMs;
  }

  void add(T session) {
    if (sliceOf(session).add(session)) {
      size++;
    }
  }

  void remove(T session) {
    if (sliceOf(session).remove(session)) {
      size--;
    }
  }

  int size() {
    return size;
  }

  /** A copy of every session, for closing them all. */
  List<T> all() {
    List<T> all = new ArrayList<>(size);
    slices.forEach(all::addAll);
    return all;
  }

  /** A copy of the slice whose turn it is (a copy: sessions may close while it is being swept). */
  List<T> nextSlice() {
    List<T> slice = new ArrayList<>(slices.get(next));
    next = (next + 1) % slices.size();
    return slice;
  }

  /** Fixed for the session's life without storing anything: its identity hash. */
  private Set<T> sliceOf(T session) {
    return slices.get(Math.floorMod(System.identityHashCode(session), slices.size()));
  }
}
