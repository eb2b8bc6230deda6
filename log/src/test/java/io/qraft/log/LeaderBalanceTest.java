package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LeaderBalanceTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");

  @Test
  void allLeadersOnOneNodeAreSpreadWithinOneOfEven() {
    Map<String, List<String>> replicas = new TreeMap<>();
    Map<String, String> leaders = new TreeMap<>();
    for (int g = 0; g < 12; g++) {
      replicas.put("g" + g, List.of("n1", "n2", "n3"));
      leaders.put("g" + g, "n1");
    }
    List<LeaderBalance.Move> moves = LeaderBalance.plan(replicas, leaders, Set.of("n1", "n2", "n3"));
    Map<String, Integer> after = apply(leaders, moves);
    assertThat(after).containsEntry("n1", 4).containsEntry("n2", 4).containsEntry("n3", 4);
    assertThat(moves).hasSize(8).allSatisfy(m -> assertThat(m.from()).isEqualTo("n1"));
  }

  @Test
  void aBalancedClusterNeedsNoMove() {
    Map<String, List<String>> replicas = Map.of("a", List.of("n1", "n2"), "b", List.of("n1", "n2"));
    assertThat(LeaderBalance.plan(replicas, Map.of("a", "n1", "b", "n2"), Set.of("n1", "n2"))).isEmpty();
    assertThat(LeaderBalance.plan(replicas, Map.of("a", "n1", "b", "n1"), Set.of("n1", "n2", "n3")))
        .as("n3 holds no replica: one move to n2, none possible to n3").hasSize(1);
  }

  @Test
  void leadersMoveOnlyToReplicasThatAreUp() {
    Map<String, List<String>> replicas = Map.of("a", List.of("n1", "n2"), "b", List.of("n1", "n2"),
        "c", List.of("n1", "n3"));
    List<LeaderBalance.Move> moves =
        LeaderBalance.plan(replicas, Map.of("a", "n1", "b", "n1", "c", "n1"), Set.of("n1", "n3"));
    assertThat(moves).containsExactly(new LeaderBalance.Move("c", "n1", "n3"));
  }

  @Test
  void randomLayoutsEndWithinOneOfEvenWhenEveryGroupHasEveryNode() {
    Random random = new Random(5);
    for (int round = 0; round < 50; round++) {
      Map<String, List<String>> replicas = new TreeMap<>();
      Map<String, String> leaders = new TreeMap<>();
      int groups = 1 + random.nextInt(30);
      for (int g = 0; g < groups; g++) {
        replicas.put("g" + g, NODES);
        leaders.put("g" + g, NODES.get(random.nextInt(2)));
      }
      Map<String, Integer> after = apply(leaders, LeaderBalance.plan(replicas, leaders, Set.copyOf(NODES)));
      int max = NODES.stream().mapToInt(n -> after.getOrDefault(n, 0)).max().orElseThrow();
      int min = NODES.stream().mapToInt(n -> after.getOrDefault(n, 0)).min().orElseThrow();
      assertThat(max - min).as("round %d", round).isLessThanOrEqualTo(1);
    }
  }

  private static Map<String, Integer> apply(Map<String, String> leaders, List<LeaderBalance.Move> moves) {
    Map<String, String> now = new HashMap<>(leaders);
    for (LeaderBalance.Move m : moves) {
      assertThat(now.get(m.group())).isEqualTo(m.from());
      now.put(m.group(), m.to());
    }
    Map<String, Integer> led = new TreeMap<>();
    now.values().forEach(l -> led.merge(l, 1, Integer::sum));
    return led;
  }
}
