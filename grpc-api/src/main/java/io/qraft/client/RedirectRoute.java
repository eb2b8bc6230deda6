package io.qraft.client;

import java.util.List;

/**
 * Which address the next attempt of one call goes to, after a node failed it with a status that
 * lets the call go elsewhere: the one decision the SDK ({@code Route}) and qraftctl's
 * {@code ClusterClient} both follow. It only decides where; when (backoff, deadlines) and how
 * often are the caller's.
 *
 * <p>The call walks the given addresses in order, wrapping around. A failure that names the leader
 * (the {@code qraft-leader} trailer, {@link LeaderHint}) sends the next attempt there; the first
 * redirect in a row may go {@linkplain Move#atOnce() at once}, since the follower just said where
 * to go, while a redirect that follows a redirect waits (nodes may disagree during an election).
 * A failure that names the failed node itself stays on it. A failure that names no leader, or any
 * failure once the call has followed {@code maxRedirects} redirects, moves on to the address after
 * the last one taken from the list (a redirect target is not in the walk), so two confused nodes
 * cannot bounce a call forever.
 *
 * <p>{@link #triedEveryAddress()} tells a caller that makes one pass when the walk has come round:
 * each address in the list has failed once, besides the redirects followed. Not thread-safe: a
 * call makes one attempt at a time.
 *
 * @param <A> an address; compared with {@code equals}
 */
public final class RedirectRoute<A> {

  /** Where the next attempt goes, relative to the failed one. */
  public enum Move {
    /** To the leader the failure named, the first redirect in a row. */
    REDIRECT,
    /** To the leader the failure named, after a redirect: the nodes may not agree yet. */
    REDIRECT_AGAIN,
    /**
     * Again to the failed node, which named itself as leader but could not serve: it is likely
     * still starting up, and asking it again beats bouncing off a follower that would send the
     * call back.
     */
    RETRY,
    /** To the next address in the list: the failure named no leader, or no more redirects are followed. */
    NEXT;

    /** Whether the next attempt may start without waiting: only a first redirect. */
    public boolean atOnce() {
      return this == REDIRECT;
    }

    /** Whether the move follows the leader the failure named (itself counted as a redirect). */
    public boolean followsLeader() {
      return this != NEXT;
    }
  }

  /** No bound on the redirects a call follows: the caller's deadline is its bound. */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  private final List<A> addresses;
  private final int maxRedirects;

  private int cursor;
  private A current;
  private int moves;
  private int redirects;
  private int redirectsInARow;

  /**
   * A route that starts at the first address of the list.
   *
   * @param addresses    the addresses to walk, in order; not empty
   * @param maxRedirects how many redirects (including a node naming itself) one call follows
   */
  public RedirectRoute(List<A> addresses, int maxRedirects) {
    this(addresses, 0, null, maxRedirects);
  }

  /**
   * A route whose first attempt goes to {@code first}, and whose walk of the list starts at index
   * {@code start}: a failure at {@code first} naming no leader moves on to the address after it.
   *
   * @param first where the first attempt goes, for example the leader remembered from an earlier
   *              call, which need not be in the list; null for the address at {@code start}
   */
  public RedirectRoute(List<A> addresses, int start, A first, int maxRedirects) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no address to route to");
    }
    if (maxRedirects < 0) {
      throw new IllegalArgumentException("maxRedirects must not be negative, not " + maxRedirects);
    }
    this.addresses = List.copyOf(addresses);
    this.maxRedirects = maxRedirects;
    this.cursor = start;
    this.current = first != null ? first : this.addresses.get(start);
  }

  /** Where the next attempt goes. */
  public A address() {
    return current;
  }

  /** The attempt at {@link #address()} succeeded: the next failure counts as the first of a call. */
  public void succeeded() {
    moves = 0;
    redirects = 0;
    redirectsInARow = 0;
  }

  /**
   * The attempt at {@link #address()} failed; moves to the address of the next one.
   *
   * @param leader the leader the failure named, or null
   * @return how the address moved; {@link #address()} is the new one
   */
  public Move failed(A leader) {
    if (leader != null && redirects < maxRedirects) {
      redirects++;
      if (!leader.equals(current)) {
        current = leader;
        return ++redirectsInARow == 1 ? Move.REDIRECT : Move.REDIRECT_AGAIN;
      }
      redirectsInARow = 0;
      return Move.RETRY;
    }
    redirectsInARow = 0;
    cursor = (cursor + 1) % addresses.size();
    current = addresses.get(cursor);
    moves++;
    return Move.NEXT;
  }

  /**
   * Whether the walk has come round: there have been as many moves to the next address as there
   * are addresses, so in a route that started at one of them each has failed once.
   */
  public boolean triedEveryAddress() {
    return moves >= addresses.size();
  }
}
