package io.parley.store;

import java.util.UUID;

/** A store's epoch is made once, when the store is created, and kept in it. */
final class Epochs {

  private Epochs() {
  }

  /** A new random epoch: 12 hex digits, unlikely to repeat among the stores a cluster will ever have. */
  static String random() {
    return UUID.randomUUID().toString().substring(0, 13).replace("-", "");
  }
}
