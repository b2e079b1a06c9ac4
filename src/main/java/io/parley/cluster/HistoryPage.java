package io.parley.cluster;

import java.util.List;

/**
 * A slice of a room's history, the room's newest seq when it was read, and whether it holds every message
 * the reader asked for ({@code complete}, sent to clients as {@code recovered}), in the room's {@code epoch}.
 */
public record HistoryPage(List<HistoryEntry> messages, long latestSeq, boolean complete, String epoch) {

  /** The seq up to which a reader has seen everything after reading this page. */
  public long seenUpTo() {
    return messages.isEmpty() ? latestSeq : Math.max(latestSeq, messages.get(messages.size() - 1).seq());
  }
}
