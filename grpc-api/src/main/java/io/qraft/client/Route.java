package io.qraft.client;

import java.util.List;

/**
 * Where and when the next attempt of one call (or one consumer's next subscription) goes.
 *
 * <p>It starts at the address remembered for the queue, or the next one in rotation. Where a
 * failure sends the next attempt is {@link RedirectRoute}'s decision, following every redirect:
 * the leader it names, or the next configured address when it names none. When is decided here:
 * a first redirect at once, since the follower just said where to go; anything else after a
 * backoff, so that redirects that keep coming (nodes may disagree during an election) and nodes
 * that cannot serve are not hammered. A success remembers the address for the queue and resets
 * the backoff.
 *
 * <p>Not thread-safe: a call makes one attempt at a time, and each attempt is started
 * after the previous one ended.
 */
final class Route {

  private final String key;
  private final LeaderCache leaders;
  private final Backoff backoff;
  private final RedirectRoute<String> route;

  private int retries;

  Route(String key, LeaderCache leaders, Backoff backoff) {
    this.key = key;
    this.leaders = leaders;
    this.backoff = backoff;
    List<String> addresses = leaders.addresses();
    String remembered = leaders.get(key);
    int index = remembered == null ? -1 : addresses.indexOf(remembered);
    int start = index >= 0 ? index : leaders.nextStartIndex();
    this.route = new RedirectRoute<>(addresses, start, remembered, RedirectRoute.UNLIMITED);
  }

  String address() {
    return route.address();
  }

  void succeeded() {
    leaders.remember(key, route.address());
    route.succeeded();
    retries = 0;
  }

  /**
   * Moves to the address of the next attempt.
   *
   * @param leader the leader the failed node named, or null
   * @return nanoseconds to wait before that attempt
   */
  long failed(String leader) {
    leaders.forget(key, route.address());
    return route.failed(leader).atOnce() ? 0 : backoff.delayNanos(retries++);
  }
}
