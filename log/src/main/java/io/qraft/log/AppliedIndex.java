package io.qraft.log;

import org.apache.ratis.server.RaftServer;

/**
 * A division's last applied index, read safely: Ratis gives a new division its role a moment
 * before it starts the state machine updater, and asking for the applied index in between
 * throws. Status pages, metrics and watchdogs read it at any moment, so they read it here.
 */
public final class AppliedIndex {
  /** What {@link #of} answers for a division that is still starting. */
  public static final long STARTING = -1;

  private AppliedIndex() {}

  /** The last applied index, or {@link #STARTING}. */
  public static long of(RaftServer.Division d) {
    try {
      return d.getInfo().getLastAppliedIndex();
    } catch (IllegalStateException e) {
      return STARTING;
    }
  }
}
