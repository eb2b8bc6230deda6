package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/** Which follower stands when a leader's port refuses: exactly one, the same on every node. */
class LeaderLossWatchTest {
  private static RaftPeer peer(String id) {
    return RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:1").build();
  }

  private static final List<RaftPeer> VOTERS = List.of(peer("n3"), peer("n1"), peer("n2"));

  private static String candidate(String leader, String self, Set<String> refusing) {
    return LeaderLossWatch.candidate(VOTERS, RaftPeerId.valueOf(leader), RaftPeerId.valueOf(self),
        p -> refusing.contains(p.getId().toString()));
  }

  @Test
  void theFirstOtherVoterByIdStandsAndEveryFollowerAgrees() {
    assertThat(candidate("n1", "n2", Set.of("n1"))).isEqualTo("n2");
    assertThat(candidate("n1", "n3", Set.of("n1"))).isEqualTo("n2");
    assertThat(candidate("n2", "n3", Set.of("n2"))).isEqualTo("n1");
  }

  @Test
  void aVoterWhosePortRefusesTooIsPassedOver() {
    assertThat(candidate("n1", "n3", Set.of("n1", "n2"))).isEqualTo("n3");
  }

  @Test
  void thisNodeCountsAsUpEvenIfItsOwnProbeWouldFail() {
    assertThat(candidate("n3", "n1", Set.of("n3", "n1"))).isEqualTo("n1");
  }

  @Test
  void aGroupOfOneHasNoCandidate() {
    assertThat(LeaderLossWatch.candidate(List.of(peer("n1")), RaftPeerId.valueOf("n1"), RaftPeerId.valueOf("n2"),
        p -> true)).isNull();
  }
}
