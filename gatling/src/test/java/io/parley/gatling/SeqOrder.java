package io.parley.gatling;

/**
 * Seqs of one room as a member sees them: every member receives every room message, so a jump (or a repeat)
 * means a lost or doubled message.
 */
final class SeqOrder {

  private long lastSeq = -1;
  private int gaps;

  void observe(String messageFrame) {
    long seq = Frames.number(messageFrame, "seq");
    if (lastSeq >= 0 && seq != lastSeq + 1) {
      gaps++;
    }
    lastSeq = seq;
  }

  int gaps() {
    return gaps;
  }
}
