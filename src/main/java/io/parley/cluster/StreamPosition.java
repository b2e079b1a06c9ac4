package io.parley.cluster;

import java.io.Serial;
import java.io.Serializable;

/**
 * Where a stream is: its newest seq (0 before the first message) in an epoch, the name of one unbroken run of
 * seqs (PROTOCOL.md 1.1, "Streams, seqs and epochs").
 */
public record StreamPosition(long seq, String epoch) implements Serializable {

  @Serial
  private static final long serialVersionUID = 1L;
}
