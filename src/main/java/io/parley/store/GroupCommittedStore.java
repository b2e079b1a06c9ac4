package io.parley.store;

import io.vertx.core.Future;

import java.util.function.LongConsumer;

/**
 * What the durable stores share: an epoch fixed when the store was made, and writes through one
 * {@link GroupCommitter} into the engine's {@link GroupCommitter.BatchTarget}. Reads are each engine's own.
 */
abstract class GroupCommittedStore implements StreamStore {

  private final String epoch;
  private final GroupCommitter writer;

  /** Starts the writer: {@code target} must be ready to commit. */
  GroupCommittedStore(String epoch, GroupCommitter.BatchTarget target, long sweepIntervalMs,
                      LongConsumer batchObserver) {
    this.epoch = epoch;
    this.writer = new GroupCommitter(target, sweepIntervalMs, batchObserver);
    writer.start();
  }

  @Override
  public final boolean durable() {
    return true;
  }

  @Override
  public final String epoch() {
    return epoch;
  }

  @Override
  public final Future<Void> append(StreamEntry entry) {
    return writer.append(entry);
  }

  @Override
  public final Future<Void> ack(String stream, long seq) {
    return writer.ack(stream, seq);
  }

  @Override
  public final void trim(String stream, long upTo) {
    writer.trim(stream, upTo);
  }

  /** Commits what is queued and stops the writer; false if it did not end in time (it may still use the target). */
  final boolean stopWriter() {
    return writer.stop();
  }
}
