package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderViewTest {
  private static NodeStatusResponse node(String id, boolean running, GroupStatus... groups) {
    return NodeStatusResponse.newBuilder().setNode(id).setRunning(running).addAllLocalGroups(List.of(groups)).build();
  }

  private static GroupStatus group(String group, String role, String leader) {
    return GroupStatus.newBuilder().setGroup(group).setRole(role).setLeader(leader).build();
  }

  @Test
  void aNodeThatSaysItLeadsIsBelievedOverWhatOthersStillThink() {
    var leaders = LeaderView.of(List.of(
        node("n1", true, group("g", "follower", "n3")),
        node("n2", true, group("g", "leader", "n2")),
        node("n3", true, group("g", "follower", "n3"))));
    assertThat(leaders).containsEntry("g", "n2");
  }

  @Test
  void withoutASelfReportedLeaderTheLeaderMostReplicasNameWins() {
    var leaders = LeaderView.of(List.of(
        node("n1", true, group("g", "follower", "n3")),
        node("n2", true, group("g", "follower", "n3")),
        node("n4", true, group("g", "candidate", "n2"))));
    assertThat(leaders).containsEntry("g", "n3");
  }

  @Test
  void nodesThatDidNotAnswerAndGroupsWithoutAKnownLeaderAddNothing() {
    var leaders = LeaderView.of(List.of(
        node("n1", false, group("g", "leader", "n1")),
        node("n2", true, group("h", "candidate", ""))));
    assertThat(leaders).isEmpty();
  }
}
