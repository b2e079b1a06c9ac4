package io.parley.store;

import io.vertx.core.Future;

import java.util.List;

/**
 * The durable tier of every stream (rooms and users): appends with their seq, range reads, the newest seq and
 * the owner's acknowledged seq. Seqs are given out by the cluster's hot tier (Hazelcast); a store keeps what it
 * is told, so several nodes may write to one store (PostgreSQL). Retention is the caller's: each entry says when
 * it expires, {@link #trim} drops what a count limit pushed out.
 *
 * <p>Reads block (the hot tier loads missing streams on its own threads); writes complete their future once
 * committed, many writers' entries in one transaction.
 */
public interface StreamStore extends AutoCloseable {

  /** {@code store.kind}: what this store is. */
  String kind();

  /** Whether anything outlives the process: false only for the memory store. */
  boolean durable();

  /**
   * The epoch of every stream kept here, fixed for the store's life (a new store, a new epoch); null when the
   * store keeps nothing, and streams then take an epoch of their own each time they begin in memory.
   */
  String epoch();

  /** Completes once the entry is committed (what "committed" means on power loss: see docs). */
  Future<Void> append(StreamEntry entry);

  /** Raises the stream's acknowledged seq (never lowers it); completes once committed. */
  Future<Void> ack(String stream, long seq);

  /** Keeps only the messages with seq above {@code upTo} (a count limit); written with the next commit. */
  void trim(String stream, long upTo);

  /** The newest seq, the acknowledged seq and the newest {@code keep} messages not expired at {@code now}. */
  StreamTail load(String stream, int keep, long now);

  /** Messages with seq above {@code since}, oldest first, at most {@code limit}, not expired at {@code now}. */
  List<StreamEntry> read(String stream, long since, int limit, long now);

  /** The newest {@code limit} messages with this peer above {@code since}, oldest first (a conversation). */
  List<StreamEntry> readWithPeer(String stream, String peer, long since, int limit, long now);

  @Override
  void close();
}
