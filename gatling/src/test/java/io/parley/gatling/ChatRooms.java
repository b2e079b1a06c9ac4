package io.parley.gatling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.IntSummaryStatistics;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * The rooms of a chat run: every user has one home room, rooms have {@code minSize} to {@code maxSize} members,
 * skewed so that most rooms are small and a few are large, as in instant messaging. Fixed by a seed, so runs with
 * the same parameters compare. Every room is within the bounds when {@code maxSize >= 2 * minSize}.
 */
final class ChatRooms {

  private static final long SEED = 42;

  private final String prefix;
  private final int users;
  /** First user index (0-based) of each room, ascending. */
  private final int[] firstUser;

  ChatRooms(String prefix, int users, int minSize, int maxSize) {
    if (users < minSize || minSize > maxSize) {
      throw new IllegalArgumentException(
          "chat needs users >= minRoom <= maxRoom, got users=%d minRoom=%d maxRoom=%d".formatted(users, minSize, maxSize));
    }
    this.prefix = prefix;
    this.users = users;
    this.firstUser = layOut(users, minSize, maxSize);
  }

  private static int[] layOut(int users, int minSize, int maxSize) {
    Random random = new Random(SEED);
    List<Integer> starts = new ArrayList<>();
    int placed = 0;
    while (placed < users) {
      double r = random.nextDouble();
      int size = minSize + (int) ((maxSize - minSize + 1) * r * r); // r² skews towards small rooms
      int left = users - placed;
      // Never leave fewer than minSize users for the last room; take them all if they fit in one.
      size = left <= maxSize ? left : Math.min(size, left - minSize);
      starts.add(placed);
      placed += size;
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  int count() {
    return firstUser.length;
  }

  /** Home room of user {@code index} (0-based). */
  int homeOf(int index) {
    int found = Arrays.binarySearch(firstUser, index);
    return found >= 0 ? found : -found - 2;
  }

  /** A room other than {@code home}, at random; {@code home} itself when it is the only room. */
  int otherThan(int home) {
    if (count() == 1) {
      return home;
    }
    int other = ThreadLocalRandom.current().nextInt(count() - 1);
    return other >= home ? other + 1 : other;
  }

  String name(int room) {
    return prefix + room;
  }

  /** E.g. {@code 43 rooms of 10..50 members}, as laid out. */
  String describe() {
    IntSummaryStatistics sizes = IntStream.range(0, count()).map(this::size).summaryStatistics();
    return "%d rooms of %d..%d members".formatted(count(), sizes.getMin(), sizes.getMax());
  }

  private int size(int room) {
    int end = room + 1 < count() ? firstUser[room + 1] : users;
    return end - firstUser[room];
  }
}
