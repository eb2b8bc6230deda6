package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class QueueBalanceTest {
  private static final List<String> ABC = List.of("n1", "n2", "n3");
  private static final List<String> CDE = List.of("n3", "n4", "n5");

  private static ShardDef shard(String group, List<String> replicas) {
    return ShardDef.newBuilder().setGroup(group).addAllReplicas(replicas).build();
  }

  private static QueueDef queue(String name, String group) {
    return QueueDef.newBuilder().setName(name).setGroup(group).build();
  }

  /** {@code n} queues named prefix0.. on the group. */
  private static List<QueueDef> queues(String prefix, String group, int n) {
    List<QueueDef> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(queue(prefix + i, group));
    }
    return out;
  }

  @Test
  void evenShardsNeedNoMove() {
    List<ShardDef> shards = List.of(shard("a", ABC), shard("b", ABC), shard("c", ABC));
    List<QueueDef> queues = new ArrayList<>();
    queues.addAll(queues("a", "a", 3));
    queues.addAll(queues("b", "b", 2));
    queues.addAll(queues("c", "c", 3));
    assertThat(QueueBalance.plan(shards, queues)).isEmpty();
    assertThat(QueueBalance.plan(shards, List.of())).isEmpty();
  }

  @Test
  void fiveAndOneEndWithinOneInTheFewestMoves() {
    List<ShardDef> shards = List.of(shard("a", ABC), shard("b", ABC));
    List<QueueDef> queues = new ArrayList<>(queues("q", "a", 5));
    queues.add(queue("z", "b"));
    List<QueueBalance.Move> moves = QueueBalance.plan(shards, queues);
    assertThat(moves).containsExactly(new QueueBalance.Move("q0", "a", "b"), new QueueBalance.Move("q1", "a", "b"));
    assertThat(counts(shards, queues, moves)).containsEntry("a", 3).containsEntry("b", 3);
  }

  @Test
  void replicaSetsArePlannedIndependently() {
    List<ShardDef> shards = List.of(shard("a1", ABC), shard("a2", ABC), shard("c1", CDE), shard("c2", CDE),
        shard("c3", CDE));
    List<QueueDef> queues = new ArrayList<>();
    queues.addAll(queues("a", "a1", 4));
    queues.addAll(queues("c", "c1", 6));
    queues.addAll(queues("d", "c2", 1));
    List<QueueBalance.Move> moves = QueueBalance.plan(shards, queues);
    Map<String, Integer> after = counts(shards, queues, moves);
    assertThat(after).containsEntry("a1", 2).containsEntry("a2", 2)
        .containsEntry("c1", 3).containsEntry("c2", 2).containsEntry("c3", 2);
    assertThat(moves).hasSize(2 + 3).allSatisfy(m -> assertThat(m.from().charAt(0)).isEqualTo(m.to().charAt(0)));
  }

  @Test
  void dedicatedShardsAreNeitherSourceNorTarget() {
    ShardDef dedicated = shard("d", ABC).toBuilder().setDedicated(true).build();
    List<ShardDef> shards = List.of(shard("a", ABC), dedicated, shard("b", ABC));
    List<QueueDef> queues = new ArrayList<>(queues("q", "a", 2));
    queues.add(queue("own", "d"));
    queues.add(queue("b0", "b"));
    assertThat(QueueBalance.plan(shards, queues)).as("a and b are within one; d does not count").isEmpty();

    List<QueueDef> lopsided = new ArrayList<>(queues("q", "a", 4));
    lopsided.add(queue("own", "d"));
    List<QueueBalance.Move> moves = QueueBalance.plan(shards, lopsided);
    assertThat(moves).extracting(QueueBalance.Move::to).containsOnly("b");
    assertThat(moves).extracting(QueueBalance.Move::queue).doesNotContain("own");
    assertThat(moves).hasSize(2);
  }

  @Test
  void queuesInFlightStayAndCountWhereTheyAreGoing() {
    List<ShardDef> shards = List.of(shard("a", ABC), shard("b", ABC));
    List<QueueDef> queues = new ArrayList<>(queues("q", "a", 2));
    // Two queues on their way from a to b: a carries 2, b 2 once they arrive.
    queues.add(queue("m0", "a").toBuilder().setMovingTo("b").build());
    queues.add(queue("m1", "a").toBuilder().setMovingTo("b").build());
    assertThat(QueueBalance.plan(shards, queues)).isEmpty();

    // Four on their way to b: b ends with 4, a with 0; only the two that stay can even it.
    List<QueueDef> inFlight = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      inFlight.add(queue("m" + i, "a").toBuilder().setMovingTo("b").build());
    }
    assertThat(QueueBalance.plan(shards, inFlight)).as("no queue may move back while in flight").isEmpty();
  }

  @Test
  void aQueueNeverGoesToAShardHoldingAnOldPartOfIt() {
    List<ShardDef> shards = List.of(shard("a", ABC), shard("b", ABC), shard("c", ABC));
    List<QueueDef> queues = new ArrayList<>();
    // Every queue of a has an old part in c, the emptiest shard: a fills b, and b's own queues go to c.
    for (int i = 0; i < 4; i++) {
      queues.add(queue("q" + i, "a").toBuilder().addOldParts("c").build());
    }
    queues.add(queue("b0", "b"));
    queues.add(queue("b1", "b"));
    List<QueueBalance.Move> moves = QueueBalance.plan(shards, queues);
    assertThat(moves).allSatisfy(m -> {
      QueueDef moved = queues.stream().filter(q -> q.getName().equals(m.queue())).findFirst().orElseThrow();
      assertThat(moved.getOldPartsList()).doesNotContain(m.to());
    });
    assertThat(counts(shards, queues, moves)).containsEntry("a", 2).containsEntry("b", 2).containsEntry("c", 2);
    assertThat(moves).extracting(QueueBalance.Move::queue).doesNotHaveDuplicates();

    // A queue whose only way out is barred stays; nothing else can help.
    List<QueueDef> barred = List.of(queue("p0", "a").toBuilder().addOldParts("b").build(),
        queue("p1", "a").toBuilder().addOldParts("b").build());
    assertThat(QueueBalance.plan(List.of(shard("a", ABC), shard("b", ABC)), barred)).isEmpty();
  }

  @Test
  void aQueueNeverGoesToAShardHoldingRecordsOfAPartItGaveUp() {
    List<ShardDef> shards = List.of(shard("a", ABC), shard("b", ABC));
    List<QueueDef> queues = List.of(queue("s0", "a"), queue("s1", "a"), queue("t0", "a"));

    List<QueueBalance.Move> moves = QueueBalance.plan(shards, queues,
        java.util.Map.of("s0", java.util.Set.of("b"), "s1", java.util.Set.of("b")));

    assertThat(moves).containsExactly(new QueueBalance.Move("t0", "a", "b"));
    assertThat(QueueBalance.plan(shards, List.of(queue("s0", "a"), queue("s1", "a")),
        java.util.Map.of("s0", java.util.Set.of("b"), "s1", java.util.Set.of("b")))).isEmpty();
  }

  @Test
  void queuesWithoutOldPartsArePreferred() {
    List<ShardDef> shards = List.of(shard("a", ABC), shard("b", ABC), shard("x", ABC));
    List<QueueDef> queues = new ArrayList<>();
    queues.add(queue("a0", "a").toBuilder().addOldParts("x").build());
    queues.add(queue("a1", "a"));
    queues.add(queue("a2", "a").toBuilder().addOldParts("x").build());
    queues.add(queue("x0", "x"));
    assertThat(QueueBalance.plan(shards, queues)).containsExactly(new QueueBalance.Move("a1", "a", "b"));
  }

  @Test
  void shardsChangingMembersWait() {
    ShardDef joining = shard("b", ABC).toBuilder().setMembershipPending(true).build();
    List<ShardDef> shards = List.of(shard("a", ABC), joining);
    assertThat(QueueBalance.plan(shards, queues("q", "a", 4))).isEmpty();
  }

  @Test
  void randomLayoutsEndWithinOneInTheFewestMoves() {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      int k = 1 + random.nextInt(6);
      List<ShardDef> shards = new ArrayList<>();
      for (int s = 0; s < k; s++) {
        shards.add(shard("g" + s, ABC));
      }
      List<QueueDef> queues = new ArrayList<>();
      int total = random.nextInt(40);
      for (int i = 0; i < total; i++) {
        // Skewed: low-numbered shards get more.
        queues.add(queue("q" + i, "g" + Math.min(random.nextInt(k), random.nextInt(k))));
      }
      List<QueueBalance.Move> moves = QueueBalance.plan(shards, queues);
      Map<String, Integer> after = counts(shards, queues, moves);
      int max = after.values().stream().max(Integer::compare).orElseThrow();
      int min = after.values().stream().min(Integer::compare).orElseThrow();
      assertThat(max - min).as("round %d: %s", round, after).isLessThanOrEqualTo(1);
      assertThat(moves).as("round %d", round).hasSize(fewestMoves(shards, queues));
      assertThat(QueueBalance.plan(shards, queues)).as("deterministic").isEqualTo(moves);
    }
  }

  /** Moves needed to even out unrestricted queues: the largest shards keep the extra ones. */
  private static int fewestMoves(List<ShardDef> shards, List<QueueDef> queues) {
    List<Integer> sorted = new ArrayList<>(counts(shards, queues, List.of()).values());
    sorted.sort(java.util.Comparator.reverseOrder());
    int k = sorted.size();
    int even = queues.size() / k;
    int extra = queues.size() % k;
    int moves = 0;
    for (int i = 0; i < k; i++) {
      moves += Math.max(0, sorted.get(i) - (even + (i < extra ? 1 : 0)));
    }
    return moves;
  }

  /** Queues per shard once the moves are done; checks each move starts where its queue is. */
  private static Map<String, Integer> counts(List<ShardDef> shards, List<QueueDef> queues,
      List<QueueBalance.Move> moves) {
    Map<String, String> at = new HashMap<>();
    queues.forEach(q -> at.put(q.getName(), q.getMovingTo().isEmpty() ? q.getGroup() : q.getMovingTo()));
    for (QueueBalance.Move m : moves) {
      assertThat(at.get(m.queue())).as("move %s", m).isEqualTo(m.from());
      at.put(m.queue(), m.to());
    }
    Map<String, Integer> out = new TreeMap<>();
    shards.stream().filter(s -> !s.getDedicated()).forEach(s -> out.put(s.getGroup(), 0));
    at.values().forEach(g -> out.computeIfPresent(g, (k, v) -> v + 1));
    return out;
  }
}
