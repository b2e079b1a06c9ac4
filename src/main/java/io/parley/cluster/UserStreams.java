package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.parley.config.ParleyConfig;
import io.parley.store.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Every user's stream of private messages (PROTOCOL.md 1.1 "Private messages"): each message in the recipient's
 * and the sender's stream, with a seq of its own in each, kept for {@code users.history.*}, and owed to the user
 * until a session acknowledges it. Same two tiers as room history ({@link StreamTier}).
 */
public final class UserStreams {

  public static final String MAP_NAME = "parley.userStreams";
  static final String STORE_PREFIX = "user:";

  private final StreamTier tier;
  private final StreamTier.Retention retention;

  public UserStreams(HazelcastInstance hazelcast, Vertx vertx, ParleyConfig.UserStreams config, StreamStore store,
                     int memoryMessages) {
    this(hazelcast, vertx, config, store, memoryMessages, 0);
  }

  /** {@code maxBytes}: {@code limits.maxUserStreamBytes}, the most bytes one stream's kept messages hold (0: any). */
  public UserStreams(HazelcastInstance hazelcast, Vertx vertx, ParleyConfig.UserStreams config, StreamStore store,
                     int memoryMessages, long maxBytes) {
    this.tier = new StreamTier(hazelcast.getMap(MAP_NAME), store, vertx, STORE_PREFIX);
    this.retention = new StreamTier.Retention(config.size(), config.ttlMs(), true,
        StreamTier.memoryMessages(store, memoryMessages), maxBytes);
  }

  /** The most messages one read returns: the whole stream. */
  public int capacity() {
    return retention.size();
  }

  /** Appends a message to {@code user}'s stream ({@code peer}: the other party); completes once stored. */
  public Future<StreamPosition> append(String user, String stored, String peer) {
    return tier.append(user, stored, System.currentTimeMillis(), retention, peer, null);
  }

  /**
   * Appends to another user's stream, made only if {@code gate} admits it when it has none (see
   * {@link StreamLimits#userStream}); its seq is known at {@code placed}, before the store has it.
   */
  StreamTier.Appending appendGated(String user, String stored, String peer, StreamTier.Gate gate) {
    return tier.appendInSteps(user, stored, System.currentTimeMillis(), retention, peer, gate);
  }

  /** How long a message is kept: a stream untouched this long has nothing left (see {@link StreamEviction}). */
  long ttlMs() {
    return retention.ttlMs();
  }

  public Future<StreamPosition> position(String user) {
    return tier.position(user, retention);
  }

  /** What {@code user} is owed: every message after {@code since}, or with {@code since < 0} every unacknowledged one. */
  public Future<UserPage> owed(String user, long since) {
    return tier.owed(user, since, retention.size(), retention).map(UserPage::of);
  }

  /** The messages after {@code since} (oldest first, at most {@code limit}), or the newest {@code limit}. */
  public Future<UserPage> read(String user, long since, int limit) {
    return tier.read(user, since, limit, retention).map(UserPage::of);
  }

  /** The newest {@code limit} messages between {@code user} and {@code peer} after {@code since}, oldest first. */
  public Future<UserPage> conversation(String user, String peer, long since, int limit) {
    return tier.conversation(user, peer, since, limit, retention).map(UserPage::of);
  }

  /** A session of the user has shown or stored everything up to {@code seq}. */
  public Future<Void> ack(String user, long seq) {
    return tier.ack(user, seq, retention);
  }

  /** A read of a user's stream: stored encodings with their seqs, the stream's position, and completeness. */
  public record UserPage(java.util.List<Long> seqs, java.util.List<String> messages, long latest, String epoch,
                         boolean complete) {

    static UserPage of(StreamTier.StreamPage page) {
      return new UserPage(page.seqs(), page.messages(), page.latest(), page.epoch(), page.complete());
    }
  }
}
