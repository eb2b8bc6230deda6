package io.qraft.statemachine;

import static io.qraft.statemachine.MetaMachineTest.add;
import static io.qraft.statemachine.MetaMachineTest.shard;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.ForgetNode;
import io.qraft.api.log.v1.MembershipSet;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.ReplaceReplica;
import io.qraft.api.log.v1.ShardDef;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** forget_node in the metadata: the forgotten set, replica swaps and the end of a membership change. */
class MetaMachineForgetTest {
  private static final String G1 = "00000000-0000-0000-0000-000000000001";

  private MetaMachine meta;

  @BeforeEach
  void shardOnN1N2N3() {
    meta = new MetaMachine();
    // Replicas n1, n2, n3; n3 is the preferred leader.
    assertThat(meta.apply(add(shard(G1, "n3", false))).getErrorCode()).isZero();
  }

  static MetaCommand forget(String node) {
    return MetaCommand.newBuilder().setForgetNode(ForgetNode.newBuilder().setNode(node)).build();
  }

  static MetaCommand replace(String group, String node, String replacement) {
    return MetaCommand.newBuilder().setReplaceReplica(ReplaceReplica.newBuilder().setGroup(group).setNode(node)
        .setReplacement(replacement)).build();
  }

  static MetaCommand set(String group) {
    return MetaCommand.newBuilder().setMembershipSet(MembershipSet.newBuilder().setGroup(group)).build();
  }

  @Test
  void aForgottenNodeIsRecordedOnceAndTakesNoNewShard() {
    assertThat(meta.apply(forget("n3")).getCreated()).isTrue();
    assertThat(meta.forgotten()).containsExactly("n3");
    assertThat(meta.wasForgotten("n3")).isTrue();

    MetaResult again = meta.apply(forget("n3"));
    assertThat(again.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(again.getErrorMessage()).contains("forgotten already");
    assertThat(meta.apply(forget("")).getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);

    MetaResult onForgotten = meta.apply(add(shard("00000000-0000-0000-0000-000000000002", "n1", false)));
    assertThat(onForgotten.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(onForgotten.getErrorMessage()).contains("n3");
    assertThat(meta.shards()).hasSize(1);
  }

  @Test
  void aReplacementSwapsTheMemberUntilTheMembershipIsSet() {
    meta.apply(forget("n3"));
    assertThat(meta.apply(replace(G1, "n3", "n4")).getCreated()).isTrue();
    ShardDef changing = meta.shard(G1);
    assertThat(changing.getReplicasList()).containsExactly("n1", "n2", "n4");
    assertThat(changing.getJoining()).isEqualTo("n4");
    assertThat(changing.getMembershipPending()).isTrue();
    // It led on the forgotten node: the newcomer takes its place as preferred leader.
    assertThat(changing.getPreferredLeader()).isEqualTo("n4");

    // Applied again (a new metadata leader repeating the step): nothing changes.
    assertThat(meta.apply(replace(G1, "n3", "n4")).getCreated()).isFalse();
    assertThat(meta.shard(G1)).isEqualTo(changing);

    assertThat(meta.apply(set(G1)).getCreated()).isTrue();
    ShardDef done = meta.shard(G1);
    assertThat(done.getReplicasList()).containsExactly("n1", "n2", "n4");
    assertThat(done.getJoining()).isEmpty();
    assertThat(done.getMembershipPending()).isFalse();
    assertThat(meta.apply(set(G1)).getCreated()).isFalse();
  }

  @Test
  void oneMembershipChangeAtATime() {
    meta.apply(replace(G1, "n3", "n4"));
    MetaResult second = meta.apply(replace(G1, "n2", "n5"));
    assertThat(second.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(second.getErrorMessage()).contains("changing its members");
    assertThat(meta.shard(G1).getReplicasList()).containsExactly("n1", "n2", "n4");
  }

  @Test
  void aBadReplacementChangesNothing() {
    meta.apply(forget("n5"));
    ShardDef before = meta.shard(G1);
    assertThat(meta.apply(replace(G1, "n3", "n2")).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(meta.apply(replace(G1, "n3", "n5")).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(meta.apply(replace(G1, "n9", "n4")).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(meta.apply(replace("00000000-0000-0000-0000-000000000009", "n3", "n4")).getErrorCode())
        .isEqualTo(Status.NOT_FOUND);
    assertThat(meta.shard(G1)).isEqualTo(before);
  }

  @Test
  void withoutASpareNodeTheShardShrinksButNeverToNothing() {
    assertThat(meta.apply(replace(G1, "n3", "")).getCreated()).isTrue();
    assertThat(meta.shard(G1).getReplicasList()).containsExactly("n1", "n2");
    assertThat(meta.shard(G1).getPreferredLeader()).isEqualTo("n1");
    meta.apply(set(G1));
    meta.apply(replace(G1, "n2", ""));
    meta.apply(set(G1));
    MetaResult last = meta.apply(replace(G1, "n1", ""));
    assertThat(last.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(meta.shard(G1).getReplicasList()).isEqualTo(List.of("n1"));
  }

  @Test
  void theForgottenNodesSurviveASnapshot() {
    meta.apply(forget("n3"));
    meta.apply(replace(G1, "n3", "n4"));
    MetaMachine restored = new MetaMachine();
    restored.load(meta.export());
    assertThat(restored.forgotten()).containsExactly("n3");
    assertThat(restored.shard(G1)).isEqualTo(meta.shard(G1));
    assertThat(restored.export()).isEqualTo(meta.export());
  }
}
