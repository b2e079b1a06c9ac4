package io.parley.session;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heartbeat's slices: every session comes round exactly once per interval, in small turns. */
class HeartbeatSlicesTest {

  @Test
  @DisplayName("one rotation of ticks covers the interval and every session once, each tick a small share")
  void rotation() {
    HeartbeatSlices<Object> slices = new HeartbeatSlices<>(25_000);
    assertEquals(100, slices.tickMs());
    List<Object> sessions = IntStream.range(0, 2_500).mapToObj(i -> new Object()).toList();
    sessions.forEach(slices::add);
    assertEquals(2_500, slices.size());

    List<Object> swept = new ArrayList<>();
    List<Object> first = null;
    int largest = 0;
    for (int tick = 0; tick < 250; tick++) {
      List<Object> slice = slices.nextSlice();
      first = first == null ? slice : first;
      largest = Math.max(largest, slice.size());
      swept.addAll(slice);
    }
    assertEquals(2_500, swept.size());
    assertEquals(new HashSet<>(sessions), new HashSet<>(swept), "each session once");
    assertTrue(largest <= 40, "no tick takes much more than its 10: " + largest);
    assertEquals(first, slices.nextSlice(), "the next rotation starts again with the first slice");
  }

  @Test
  @DisplayName("a removed session is swept no more; short intervals get one slice at the interval itself")
  void removeAndShortIntervals() {
    HeartbeatSlices<Object> slices = new HeartbeatSlices<>(200);
    assertEquals(100, slices.tickMs());
    Object kept = new Object();
    Object gone = new Object();
    slices.add(kept);
    slices.add(gone);
    slices.remove(gone);
    slices.remove(gone);
    assertEquals(1, slices.size());
    Set<Object> swept = new HashSet<>(slices.nextSlice());
    swept.addAll(slices.nextSlice());
    assertEquals(Set.of(kept), swept);
    assertEquals(List.of(kept), slices.all());

    HeartbeatSlices<Object> single = new HeartbeatSlices<>(40);
    assertEquals(40, single.tickMs());
    single.add(kept);
    assertEquals(List.of(kept), single.nextSlice());
    assertEquals(List.of(kept), single.nextSlice());
  }
}
