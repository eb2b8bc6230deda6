package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;

/** Which follower stands when a leader's port refuses: the one that can win, the same on every node. */
class LeaderLossWatchTest {
  private static TermIndex at(long term, long index) {
    return TermIndex.valueOf(term, index);
  }

  @Test
  void theFollowerWithTheLongestLogStands() {
    assertThat(LeaderLossWatch.candidate(Map.of("n1", at(3, 100), "n2", at(3, 104)))).isEqualTo("n2");
  }

  @Test
  void aLaterTermWinsOverAHigherIndex() {
    assertThat(LeaderLossWatch.candidate(Map.of("n1", at(4, 90), "n3", at(3, 120)))).isEqualTo("n1");
  }

  @Test
  void equalLogsGoToTheFirstNodeIdWhicheverNodeAsks() {
    Map<String, TermIndex> seen = Map.of("n3", at(3, 100), "n2", at(3, 100), "n4", at(3, 99));
    assertThat(LeaderLossWatch.candidate(seen)).isEqualTo("n2");
  }

  @Test
  void aLoneFollowerStandsAndNobodyLeftMeansNoCandidate() {
    assertThat(LeaderLossWatch.candidate(Map.of("n2", at(1, 5)))).isEqualTo("n2");
    assertThat(LeaderLossWatch.candidate(Map.of())).isNull();
  }

  @Test
  void aStandInHasExactlyTheCandidatesLogFirstByIdAndAShorterLogIsNone() {
    Map<String, TermIndex> seen = Map.of("n1", at(3, 100), "n4", at(3, 100), "n3", at(3, 100), "n2", at(3, 99));
    assertThat(LeaderLossWatch.standIn(seen, "n1")).isEqualTo("n3");
    assertThat(LeaderLossWatch.standIn(Map.of("n1", at(3, 100), "n2", at(3, 99)), "n1"))
        .as("a peer that is behind cannot win the votes the candidate would").isNull();
    assertThat(LeaderLossWatch.standIn(Map.of("n1", at(4, 100), "n2", at(3, 100)), "n1")).isNull();
    assertThat(LeaderLossWatch.standIn(Map.of("n1", at(3, 100)), "n1")).isNull();
  }

  @Test
  void onlyAPortNobodyListensOnRefuses() throws Exception {
    int closedPort;
    try (java.net.ServerSocket listening = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = listening.getLocalPort();
      assertThat(LeaderLossWatch.refusesConnections("127.0.0.1:" + closedPort, 500)).as("a listening port").isFalse();
    }
    assertThat(LeaderLossWatch.refusesConnections("127.0.0.1:" + closedPort, 500)).as("the same port, closed").isTrue();
    assertThat(LeaderLossWatch.refusesConnections("no-port-given", 500)).isFalse();
    assertThat(LeaderLossWatch.refusesConnections("127.0.0.1:not-a-number", 500)).isFalse();
  }
}
