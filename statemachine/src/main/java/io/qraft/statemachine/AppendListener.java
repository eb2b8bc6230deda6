package io.qraft.statemachine;

import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Told, on the leader, the log index a client request's entry is about to get
 * (called under the log's write lock, in log order). What the {@code local}
 * ack mode needs: Ratis reports when the leader's log is flushed up to an
 * index, but not which index a request got.
 */
public interface AppendListener {
  AppendListener NONE = (group, request, index) -> {};

  void appending(RaftGroupId group, RaftClientRequest request, long index);
}
