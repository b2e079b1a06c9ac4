package io.parley.store;

import io.vertx.core.Context;
import io.vertx.core.Promise;

/**
 * One write waiting for the next group commit: an entry, an ack or a trim, with whom to tell once it is
 * committed (no promise for trims: they only free space).
 */
record StoreWrite(Kind kind, String stream, long seq, StreamEntry entry, Context context, Promise<Void> done) {

  enum Kind { APPEND, ACK, TRIM }

  static StoreWrite append(StreamEntry entry, Context context, Promise<Void> done) {
    return new StoreWrite(Kind.APPEND, entry.stream(), entry.seq(), entry, context, done);
  }

  static StoreWrite ack(String stream, long seq, Context context, Promise<Void> done) {
    return new StoreWrite(Kind.ACK, stream, seq, null, context, done);
  }

  static StoreWrite trim(String stream, long upTo) {
    return new StoreWrite(Kind.TRIM, stream, upTo, null, null, null);
  }
}
