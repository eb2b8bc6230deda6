package io.qraft.statemachine;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Leadership events of a group's replica on this node, passed on from Ratis.
 * Called on Ratis threads: implementations hand off and return at once.
 */
public interface RoleListener {
  RoleListener NONE = new RoleListener() {};

  /** Some replica (maybe this one, maybe none: null) now leads the group. */
  default void leaderChanged(RaftGroupId group, RaftPeerId leader) {}

  /** This replica leads the group and has committed an entry of its term: it may serve. */
  default void leaderReady(RaftGroupId group) {}
}
