package io.parley.store;

import java.util.List;

/**
 * What a store holds of a stream when it is loaded into memory: its newest seq (0: never written), how far its
 * owner acknowledged it (user streams), and its newest messages, oldest first.
 */
public record StreamTail(long latest, long acked, List<StreamEntry> messages) {

  public static final StreamTail EMPTY = new StreamTail(0, 0, List.of());
}
