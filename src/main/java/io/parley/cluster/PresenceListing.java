package io.parley.cluster;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;

/** A room's presence as a reply gives it: how many distinct users, and the first of them by id. */
public record PresenceListing(int count, ArrayList<String> users) implements Serializable {

  @Serial
  private static final long serialVersionUID = 1L;

  /** Whether {@link #users()} was cut short of {@link #count()}. */
  public boolean truncated() {
    return users.size() < count;
  }
}
