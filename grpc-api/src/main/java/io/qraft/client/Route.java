package io.qraft.client;

import java.util.List;

/**
 * Where and when the next attempt of one call (or one consumer's next subscription) goes.
 *
 * <p>It starts at the address remembered for the queue, or the next one in rotation. After
 * a failure that names the leader it goes there, at once the first time, since the
 * follower just said where to go, and after a backoff if redirects keep coming (nodes may
 * disagree during an election). After a failure that names no leader it moves on to the
 * next configured address after a backoff. A success remembers the address for the queue
 * and resets the backoff.
 *
 * <p>Not thread-safe: a call makes one attempt at a time, and each attempt is started
 * after the previous one ended.
 */
final class Route {

  private final String key;
  private final LeaderCache leaders;
  private final List<String> addresses;
  private final Backoff backoff;

  private int cursor;
  private String current;
  private int retries;
  private int redirectsInARow;

  Route(String key, LeaderCache leaders, Backoff backoff) {
    this.key = key;
    this.leaders = leaders;
    this.addresses = leaders.addresses();
    this.backoff = backoff;
    String remembered = leaders.get(key);
    int index = remembered == null ? -1 : addresses.indexOf(remembered);
    this.cursor = index >= 0 ? index : leaders.nextStartIndex();
    this.current = remembered != null ? remembered : addresses.get(cursor);
  }

  String address() {
    return current;
  }

  void succeeded() {
    leaders.remember(key, current);
    retries = 0;
    redirectsInARow = 0;
  }

  /**
   * Moves to the address of the next attempt.
   *
   * @param leader the leader the failed node named, or null
   * @return nanoseconds to wait before that attempt
   */
  long failed(String leader) {
    leaders.forget(key, current);
    if (leader != null && !leader.equals(current)) {
      current = leader;
      if (++redirectsInARow == 1) {
        return 0;
      }
    } else {
      redirectsInARow = 0;
      // A node that names itself as leader but cannot serve is likely still starting up:
      // asking it again beats bouncing off a follower that would send us back.
      if (leader == null) {
        cursor = (cursor + 1) % addresses.size();
        current = addresses.get(cursor);
      }
    }
    return backoff.delayNanos(retries++);
  }
}
