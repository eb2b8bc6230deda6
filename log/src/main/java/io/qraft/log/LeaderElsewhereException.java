package io.qraft.log;

/**
 * This node cannot serve the request because another node leads the group
 * (leaderNodeId, or null when no leader is known). The gRPC layer turns it
 * into UNAVAILABLE with the leader's address, so that clients go there.
 */
public final class LeaderElsewhereException extends RuntimeException {
  private final String leaderNodeId;

  public LeaderElsewhereException(String message, String leaderNodeId) {
    super(message);
    this.leaderNodeId = leaderNodeId;
  }

  public String leaderNodeId() {
    return leaderNodeId;
  }
}
