package io.parley.auth;

/**
 * Who is on a connection, from a verified JWT: the user id ({@code sub}), the rooms they may join and
 * publish to ({@code rooms}), the rooms they may publish to without joining ({@code publish}), whether
 * they may use the server API ({@code admin}), when the token was issued and when it expires (epoch seconds,
 * 0 = not stated).
 */
public record Principal(String user, RoomPatterns rooms, RoomPatterns publishWithoutJoin, boolean admin,
                        long issuedAt, long expiresAt) {

  public boolean mayJoin(String room) {
    return rooms.allows(room);
  }

  public boolean mayPublishWithoutJoining(String room) {
    return publishWithoutJoin.allows(room);
  }
}
