package io.parley.hub;

import io.parley.cluster.StreamPosition;
import io.vertx.core.Context;

/** A local session as private messaging sees it: whose it is, where it runs, and how to hand it a frame. */
public interface UserEndpoint {

  String id();

  String user();

  /** The event loop the session lives on: deliveries are run there. */
  Context context();

  /** A message of the user's stream, with its place there; pushes may arrive out of seq order. */
  void onPrivateMessage(StreamPosition position, String frame);

  /** The user's stream may have lost continuity: if its epoch changed, the client is told. */
  void checkStreamEpoch();

  /** The server API disconnected the user: close with 4001. */
  void disconnectByServer();
}
