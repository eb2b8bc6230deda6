package io.qraft.ops.server;

import java.util.HashMap;
import java.util.Map;

/**
 * Tells a follower that is slow from one that is stuck: behind the leader's commit index with
 * an applied index that has not moved for a given time. One round of observations at a time:
 * followers not observed in a round (caught up, gone, no longer led here) are forgotten.
 * Not thread-safe; one watchdog thread uses it.
 */
final class FollowerProgress {
  private final long stuckAfterMs;
  private Map<String, long[]> behind = new HashMap<>();
  private Map<String, long[]> round = new HashMap<>();

  FollowerProgress(long stuckAfterMs) {
    this.stuckAfterMs = stuckAfterMs;
  }

  /** Returns true when the follower (key) is stuck; it is then forgotten, to be timed afresh. */
  boolean observe(String key, long applied, long commit, long nowMs) {
    if (applied >= commit) {
      return false;
    }
    long[] last = behind.get(key);
    long[] since = last != null && last[0] == applied ? last : new long[] {applied, nowMs};
    if (nowMs - since[1] >= stuckAfterMs) {
      return true;
    }
    round.put(key, since);
    return false;
  }

  /** Ends a round of observations. */
  void endRound() {
    behind = round;
    round = new HashMap<>();
  }
}
