package io.parley.cluster;

import com.hazelcast.map.MapLoader;
import io.parley.store.StreamEntry;
import io.parley.store.StreamStore;
import io.parley.store.StreamTail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a stream the cluster's memory does not hold (after a restart, or when every copy of its entry died) from
 * the store: its seq, epoch, acknowledgement and newest messages. Only a loader: writes go to the store through
 * {@link StreamTier}, in groups, not one by one on a partition thread. Nothing is preloaded: a node is ready at
 * once and each stream is read on first use.
 */
final class StreamLoader implements MapLoader<String, StreamLog> {

  private final StreamStore store;
  private final String prefix;
  private final int keep;

  StreamLoader(StreamStore store, String prefix, int keep) {
    this.store = store;
    this.prefix = prefix;
    this.keep = keep;
  }

  @Override
  public StreamLog load(String key) {
    StreamTail tail = store.load(prefix + key, keep, System.currentTimeMillis());
    if (tail.latest() == 0) {
      return null;
    }
    List<StreamEntry> newest = contiguousEnd(tail.messages(), tail.latest());
    long[] storedAt = new long[newest.size()];
    for (int i = 0; i < storedAt.length; i++) {
      storedAt[i] = newest.get(i).ts();
    }
    return StreamLog.loaded(store.epoch(), tail.latest(), tail.acked(),
        newest.stream().map(StreamEntry::data).toList(), storedAt);
  }

  /**
   * Memory holds a run of seqs ending at the newest: a seq given out but never committed (its node died first)
   * leaves a hole in the store, and what is before the hole is read from the store instead.
   */
  private static List<StreamEntry> contiguousEnd(List<StreamEntry> newest, long latest) {
    int start = newest.size();
    long expected = latest;
    while (start > 0 && newest.get(start - 1).seq() == expected) {
      start--;
      expected--;
    }
    return newest.subList(start, newest.size());
  }

  @Override
  public Map<String, StreamLog> loadAll(java.util.Collection<String> keys) {
    Map<String, StreamLog> loaded = new HashMap<>();
    for (String key : keys) {
      StreamLog log = load(key);
      if (log != null) {
        loaded.put(key, log);
      }
    }
    return loaded;
  }

  @Override
  public Iterable<String> loadAllKeys() {
    return List.of();
  }
}
