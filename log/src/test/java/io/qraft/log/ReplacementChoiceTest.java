package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.ShardDef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplacementChoiceTest {
  private static ShardDef shard(String group, String... replicas) {
    return ShardDef.newBuilder().setGroup(group).addAllReplicas(List.of(replicas)).setPreferredLeader(replicas[0])
        .build();
  }

  private static final List<String> LIVE = List.of("n1", "n2", "n4", "n5");

  @Test
  void theNodeWithTheFewestReplicasThatIsNotInTheShard() {
    ShardDef lost = shard("g1", "n1", "n2", "n3");
    List<ShardDef> shards = List.of(lost, shard("g2", "n2", "n4", "n5"), shard("g3", "n4", "n1", "n2"));
    // n4: two replicas, n5: one; n1 and n2 are in the shard already; n3 is forgotten (not live).
    assertThat(ReplacementChoice.choose(lost, shards, Map.of(), LIVE)).contains("n5");
  }

  @Test
  void thenTheFewestQueuesThenTheSmallestId() {
    ShardDef lost = shard("g1", "n1", "n2", "n3");
    List<ShardDef> shards = List.of(lost, shard("g2", "n4"), shard("g3", "n5"));
    assertThat(ReplacementChoice.choose(lost, shards, Map.of("g2", 3, "g3", 1), LIVE)).contains("n5");
    assertThat(ReplacementChoice.choose(lost, shards, Map.of("g2", 1, "g3", 1), LIVE)).contains("n4");
  }

  @Test
  void noneWhenEveryLiveNodeHoldsAReplicaAlready() {
    ShardDef lost = shard("g1", "n1", "n2", "n3", "n4", "n5");
    assertThat(ReplacementChoice.choose(lost, List.of(lost), Map.of(), LIVE)).isEmpty();
  }

  @Test
  void aForgottenNodeIsNeverChosen() {
    ShardDef lost = shard("g1", "n1", "n2", "n4");
    // n3 holds nothing at all, but it is not live.
    assertThat(ReplacementChoice.choose(lost, List.of(lost), Map.of(), LIVE)).contains("n5");
  }
}
