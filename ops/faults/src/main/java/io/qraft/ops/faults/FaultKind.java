package io.qraft.ops.faults;

import java.util.List;

/** The fault menu. */
public enum FaultKind {
  /** One node cut from both peers, both directions; clients still reach it. */
  ISOLATE,
  /** 1|2: one node cut from its peers and from the clients. */
  SPLIT,
  /** The two ends cut from each other; the middle node sees both. */
  BRIDGE,
  /** One node cannot send to one peer (the other direction works). */
  ONE_WAY,
  /** kill -9 the leader of a queue's group, restart it after a pause. */
  KILL_LEADER,
  /** kill -9 a follower of a queue's group, restart it after a pause. */
  KILL_FOLLOWER,
  /**
   * kill -9 of all three nodes at once, all restarted after a pause: a power loss as far as
   * processes go (what the kernel had not yet written stays in its page cache, which a real
   * power loss would drop; a confirmed message was fsynced on a majority before its confirm).
   */
  CRASH_ALL,
  /** SIGSTOP a node (the leader of a queue's group, or any), SIGCONT later. */
  PAUSE,
  /** Restart a node with its wall clock moved by hours (faketime), back to normal later. */
  CLOCK_SKEW,
  /** Opt-in (--corruption): flip bytes in a stopped node's Raft log, restart it. */
  CORRUPT_LOG,
  /** Opt-in (--corruption): cut the tail off a stopped node's Raft log, restart it. */
  TRUNCATE_LOG;

  public static final List<FaultKind> STANDARD = List.of(ISOLATE, SPLIT, BRIDGE, ONE_WAY,
      KILL_LEADER, KILL_FOLLOWER, CRASH_ALL, PAUSE, CLOCK_SKEW);
  public static final List<FaultKind> CORRUPTION = List.of(CORRUPT_LOG, TRUNCATE_LOG);

  public boolean corruption() {
    return CORRUPTION.contains(this);
  }

  public String label() {
    return name().toLowerCase();
  }
}
