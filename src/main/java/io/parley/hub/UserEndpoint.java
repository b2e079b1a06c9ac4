package io.parley.hub;

import io.vertx.core.Context;

/** A local session as private messaging sees it: whose it is, where it runs, and how to hand it a frame. */
public interface UserEndpoint {

  String id();

  String user();

  /** The event loop the session lives on: deliveries are run there. */
  Context context();

  void onPrivateMessage(String frame);

  /** The server API disconnected the user: close with 4001. */
  void disconnectByServer();
}
