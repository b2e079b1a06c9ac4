package io.parley.store;

import io.vertx.core.Future;

import java.util.List;

/** {@code store.kind=memory}: nothing outlives the cluster's memory; every write is done at once. */
public final class MemoryStore implements StreamStore {

  public static final String KIND = "memory";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public String epoch() {
    return null;
  }

  @Override
  public Future<Void> append(StreamEntry entry) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> ack(String stream, long seq) {
    return Future.succeededFuture();
  }

  @Override
  public void trim(String stream, long upTo) {
  }

  @Override
  public StreamTail load(String stream, int keep, long now) {
    return StreamTail.EMPTY;
  }

  @Override
  public List<StreamEntry> read(String stream, long since, int limit, long now) {
    return List.of();
  }

  @Override
  public List<StreamEntry> readWithPeer(String stream, String peer, long since, int limit, long now) {
    return List.of();
  }

  @Override
  public void close() {
  }
}
