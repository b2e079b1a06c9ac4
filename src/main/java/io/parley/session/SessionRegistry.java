package io.parley.session;

import io.parley.cluster.LiveSession;
import io.parley.hub.LocalRooms;
import io.parley.protocol.CloseCode;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The sessions of one gateway (one event loop): creates them, sweeps them for heartbeats, closes them all when
 * the node drains. Touched only on that gateway's loop.
 */
public final class SessionRegistry {

  private final SessionServices services;
  private final LocalRooms localRooms;
  private final Context context;
  private final HeartbeatSlices<Session> sessions;

  public SessionRegistry(SessionServices services, LocalRooms localRooms, Context context) {
    this.services = services;
    this.localRooms = localRooms;
    this.context = context;
    this.sessions = new HeartbeatSlices<>(services.config().heartbeat().intervalMs());
  }

  /**
   * Opens a session on a new connection; {@code urlToken} is the {@code ?token=} of a WebSocket URL, or null.
   * Returns null, having closed the transport with 4029, when its address opens connections too fast.
   */
  public Session open(Transport transport, String urlToken) {
    if (!services.connectionLimiter().allow(transport.remoteHost(), System.currentTimeMillis())) {
      services.metrics().rateLimited("connection");
      transport.close(CloseCode.CONNECTION_RATE, "too many new connections from your address");
      return null;
    }
    Session session = new Session(transport, services, localRooms, context, sessions::remove);
    sessions.add(session);
    session.start(urlToken);
    return session;
  }

  /** The authenticated sessions still open, each with the rooms it joined (or is joining). */
  public List<LiveSession> live() {
    List<LiveSession> live = new ArrayList<>();
    for (Session session : sessions.all()) {
      if (session.isAuthenticated() && !session.isClosed()) {
        live.add(new LiveSession(session.id(), session.user(), Set.copyOf(session.rooms().keySet())));
      }
    }
    return live;
  }

  public int size() {
    return sessions.size();
  }

  /** How often {@link #sweepHeartbeats} is to run: each run sweeps a slice of the sessions. */
  public long heartbeatTickMs() {
    return sessions.tickMs();
  }

  /**
   * Pings the connections of the next slice that answer pings, and closes those silent for longer than
   * {@code timeoutMs}: one timer per gateway rather than one per connection, each connection once per interval.
   * A connection that cannot be pinged (SockJS over HTTP, where nothing the server sends asks for an answer) is
   * closed after that silence only if its client pings by itself: it would have pinged by now, unless it is gone
   * (frozen, or off the network). A client that never pings is watched by its transport alone there (polling: the
   * SockJS session timeout; streaming: TCP).
   */
  public void sweepHeartbeats(long now, long timeoutMs) {
    for (Session session : sessions.nextSlice()) {
      Transport transport = session.transport();
      boolean watched = transport.expectsPong() || session.pings();
      if (!watched) {
        continue;
      }
      if (now - session.lastSeenMs() > timeoutMs) {
        // 4008, not 1000: a client that was only silent (a laptop waking) must reconnect and recover
        session.close(CloseCode.POLICY, "heartbeat timeout");
      } else {
        transport.ping();
      }
    }
  }

  /** Closes every session with 1001; completes when their presence is cleaned up. */
  public Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Session session : sessions.all()) {
      closing.add(session.close(CloseCode.GOING_AWAY, CloseCode.GOING_AWAY.reason()));
    }
    return Future.join(closing).mapEmpty();
  }
}
