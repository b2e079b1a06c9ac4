package io.parley.cluster;

import io.parley.protocol.Frames;

/** One stored room message: its seq and its stored encoding (from, body, ts). */
public record HistoryEntry(String room, long seq, String stored) {

  /** The {@code message} push frame for this entry. */
  public String frame() {
    return Frames.roomMessage(room, seq, stored);
  }
}
