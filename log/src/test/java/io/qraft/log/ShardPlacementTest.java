package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.api.log.v1.AddShard;
import io.qraft.api.log.v1.BindQueue;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.log.v1.UnbindQueue;
import io.qraft.statemachine.MetaMachine;
import io.qraft.statemachine.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Where new queues go, on a three-node cluster with three shards per replica
 * set. Every choice is fed back into a MetaMachine as the log would do it
 * (AddShard when the choice creates, then BindQueue), so each declare sees
 * the ones before it.
 */
class ShardPlacementTest {
  private static final List<String> ALL = List.of("n1", "n2", "n3");

  private final MetaMachine meta = new MetaMachine();
  private final List<String> handedOut = new ArrayList<>();
  private int queues;

  /** Group ids 00000000-0000-0000-0000-000000000001, ...2, ...: sorted in the order handed out. */
  private Supplier<UUID> ids() {
    return new Supplier<>() {
      private long next = 1;

      @Override
      public UUID get() {
        UUID id = new UUID(0, next++);
        handedOut.add(id.toString());
        return id;
      }
    };
  }

  private static String group(int n) {
    return new UUID(0, n).toString();
  }

  private ShardPlacement placement(int shardsPerReplicaSet, int shardsMaxPerNode) {
    List<NodeAddress> members = List.of(
        new NodeAddress("n1", "127.0.0.1", 7001, 8001),
        new NodeAddress("n2", "127.0.0.1", 7002, 8002),
        new NodeAddress("n3", "127.0.0.1", 7003, 8003));
    LogSettings settings = new LogSettings("n1", Path.of("unused"), "127.0.0.1", members,
        Duration.ofMillis(500), Duration.ofMillis(1000), 10_000, 1_000, 8 << 20, 4 << 20,
        shardsPerReplicaSet, shardsMaxPerNode, Duration.ofSeconds(30), Duration.ofSeconds(15), new BatchLimits(1000, 1 << 20, 0), 4, 64 << 20,
        new CatalogCaps(100_000, 1_000), Duration.ofSeconds(60));
    return new ShardPlacement(settings, ids(), new java.util.Random(42));
  }

  /** Dedicated queues here are declared client-local: their group is led by the declaring node. */
  private static ShardPlacement.Request request(boolean dedicated, String node) {
    return new ShardPlacement.Request(3, List.of(), dedicated, dedicated, node);
  }

  /** Declares a queue as the log does: choose, add the shard if new, bind. */
  private ShardPlacement.Choice declare(ShardPlacement placement, boolean dedicated, String node) {
    ShardPlacement.Choice choice = placement.choose(meta, request(dedicated, node), g -> null);
    if (choice.create()) {
      MetaResult added = meta.apply(MetaCommand.newBuilder()
          .setAddShard(AddShard.newBuilder().setShard(choice.shard())).build());
      assertThat(added.getErrorCode()).isEqualTo(Status.OK);
    }
    MetaResult bound = meta.apply(MetaCommand.newBuilder().setBindQueue(BindQueue.newBuilder()
        .setQueue("q" + ++queues)
        .putAllArguments(Map.of("queue-log", dedicated ? "dedicated" : "shared"))
        .setGroup(choice.shard().getGroup())).build());
    assertThat(bound.getErrorCode()).as(bound.getErrorMessage()).isEqualTo(Status.OK);
    assertThat(bound.getCreated()).isTrue();
    return choice;
  }

  private ShardPlacement.Choice declareShared(ShardPlacement placement) {
    return declare(placement, false, "n1");
  }

  private void unbind(String queue) {
    MetaResult r = meta.apply(MetaCommand.newBuilder()
        .setUnbindQueue(UnbindQueue.newBuilder().setQueue(queue)).build());
    assertThat(r.getErrorCode()).isEqualTo(Status.OK);
  }

  @Test
  void firstThreeSharedDeclaresEachCreateAShardLedByADifferentNode() {
    ShardPlacement placement = placement(3, 100);

    List<ShardPlacement.Choice> choices = List.of(
        declareShared(placement), declareShared(placement), declareShared(placement));

    assertThat(choices).allSatisfy(c -> {
      assertThat(c.create()).isTrue();
      assertThat(c.shard().getDedicated()).isFalse();
      assertThat(c.shard().getReplicasList()).isEqualTo(ALL);
    });
    assertThat(choices).extracting(c -> c.shard().getPreferredLeader()).containsExactly("n1", "n2", "n3");
    assertThat(choices).extracting(c -> c.shard().getGroup()).containsExactly(group(1), group(2), group(3));
    assertThat(meta.queueCounts()).containsExactly(
        Map.entry(group(1), 1), Map.entry(group(2), 1), Map.entry(group(3), 1));
  }

  @Test
  void laterSharedDeclaresReuseTheShardWithTheFewestQueues() {
    ShardPlacement placement = placement(3, 100);
    for (int i = 0; i < 3; i++) {
      declareShared(placement);
    }

    // All tied at one queue: the lowest group id first, then round the shards.
    List<String> next = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ShardPlacement.Choice c = declareShared(placement);
      assertThat(c.create()).isFalse();
      next.add(c.shard().getGroup());
    }
    assertThat(next).containsExactly(group(1), group(2), group(3), group(1));
    assertThat(handedOut).as("no new group was asked for").hasSize(3);
    assertThat(meta.shards()).hasSize(3);

    // Shard 3 loses its queues (q3, q6): it is now the emptiest.
    unbind("q3");
    unbind("q6");
    assertThat(declareShared(placement).shard().getGroup()).isEqualTo(group(3)); // 0 queues
    assertThat(declareShared(placement).shard().getGroup()).isEqualTo(group(3)); // 1 against 2 and 3
    assertThat(declareShared(placement).shard().getGroup()).isEqualTo(group(2)); // 2 and 2: lower id
    assertThat(meta.queueCounts()).containsExactly(
        Map.entry(group(1), 3), Map.entry(group(2), 3), Map.entry(group(3), 2));
  }

  @Test
  void sharedDeclaresReturnTheShardAsKnownToMetadata() {
    ShardPlacement placement = placement(3, 100);
    List<ShardDef> created = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      created.add(declareShared(placement).shard());
    }

    ShardPlacement.Choice reuse = declareShared(placement);

    assertThat(reuse.shard()).isEqualTo(created.get(0));
    assertThat(reuse.shard()).isEqualTo(meta.shard(group(1)));
  }

  @Test
  void dedicatedAlwaysCreatesAGroupLedByTheDeclaringNode() {
    ShardPlacement placement = placement(3, 100);
    for (int i = 0; i < 3; i++) {
      declareShared(placement);
    }

    List<ShardPlacement.Choice> dedicated = List.of(
        declare(placement, true, "n2"), declare(placement, true, "n2"),
        declare(placement, true, "n3"), declare(placement, true, "n1"));

    assertThat(dedicated).allSatisfy(c -> {
      assertThat(c.create()).isTrue();
      assertThat(c.shard().getDedicated()).isTrue();
      assertThat(c.shard().getReplicasList()).isEqualTo(ALL);
    });
    assertThat(dedicated).extracting(c -> c.shard().getPreferredLeader()).containsExactly("n2", "n2", "n3", "n1");
    assertThat(dedicated).extracting(c -> c.shard().getGroup())
        .containsExactly(group(4), group(5), group(6), group(7));
    // Dedicated groups never take shared queues.
    assertThat(declareShared(placement).shard().getGroup()).isEqualTo(group(1));
  }

  @Test
  void dedicatedDeclaredOnANodeOutsideTheReplicaSetIsLedByTheLeastLeadingReplica() {
    ShardPlacement placement = placement(3, 100);
    declare(placement, true, "n1");

    ShardPlacement.Choice c = declare(placement, true, "n9");

    assertThat(c.create()).isTrue();
    assertThat(c.shard().getPreferredLeader()).isEqualTo("n2");
  }

  @Test
  void sharedShardLeadersAvoidNodesThatAlreadyLeadDedicatedGroups() {
    ShardPlacement placement = placement(3, 100);
    declare(placement, true, "n1");
    declare(placement, true, "n2");

    ShardPlacement.Choice first = declareShared(placement);
    ShardPlacement.Choice second = declareShared(placement);

    assertThat(first.create()).isTrue();
    assertThat(first.shard().getPreferredLeader()).isEqualTo("n3");
    assertThat(second.shard().getPreferredLeader()).isEqualTo("n1");
  }

  @Test
  void dedicatedIsRefusedWithResourceExhaustedOnceNodesAreFull() {
    ShardPlacement placement = placement(3, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(declareShared(placement).create()).isTrue();
    }
    var before = meta.shards();

    assertThatThrownBy(() -> placement.choose(meta, request(true, "n1"), g -> null))
        .isInstanceOfSatisfying(RequestException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.RESOURCE_EXHAUSTED);
          assertThat(e.getMessage()).contains("3");
        });
    assertThat(meta.shards()).isEqualTo(before);

    // Shared queues still have a home: the existing shards.
    ShardPlacement.Choice shared = declareShared(placement);
    assertThat(shared.create()).isFalse();
    assertThat(shared.shard().getGroup()).isEqualTo(group(1));
  }

  @Test
  void sharedFallsBackToExistingShardsWhenNodesFillBeforeTheReplicaSetHasItsShards() {
    ShardPlacement placement = placement(3, 2);
    assertThat(declareShared(placement).create()).isTrue();
    assertThat(declareShared(placement).create()).isTrue();

    List<String> next = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ShardPlacement.Choice c = declareShared(placement);
      assertThat(c.create()).isFalse();
      next.add(c.shard().getGroup());
    }

    assertThat(next).containsExactly(group(1), group(2), group(1));
    assertThat(meta.shards()).hasSize(2);
  }

  @Test
  void sharedIsRefusedWhenNodesAreFullOfDedicatedGroups() {
    ShardPlacement placement = placement(3, 1);
    declare(placement, true, "n1");

    assertThatThrownBy(() -> placement.choose(meta, request(false, "n1"), g -> null))
        .isInstanceOfSatisfying(RequestException.class,
            e -> assertThat(e.code()).isEqualTo(Status.RESOURCE_EXHAUSTED));
    assertThatThrownBy(() -> placement.choose(meta, request(true, "n2"), g -> null))
        .isInstanceOfSatisfying(RequestException.class,
            e -> assertThat(e.code()).isEqualTo(Status.RESOURCE_EXHAUSTED));
  }

  @Test
  void choosingAloneChangesNoMetadata() {
    ShardPlacement placement = placement(3, 100);
    var before = meta.export();

    ShardPlacement.Choice a = placement.choose(meta, request(false, "n1"), g -> null);
    ShardPlacement.Choice b = placement.choose(meta, request(false, "n1"), g -> null);

    assertThat(meta.export()).isEqualTo(before);
    assertThat(a.shard().getPreferredLeader()).isEqualTo(b.shard().getPreferredLeader()).isEqualTo("n1");
    assertThat(a.shard().getGroup()).isNotEqualTo(b.shard().getGroup());
  }

  private ShardPlacement fiveNodes(int shardsPerReplicaSet, long seed) {
    List<NodeAddress> members = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      members.add(new NodeAddress("n" + i, "127.0.0.1", 7000 + i, 8000 + i));
    }
    LogSettings settings = new LogSettings("n1", Path.of("unused"), "127.0.0.1", members,
        Duration.ofMillis(500), Duration.ofMillis(1000), 10_000, 1_000, 8 << 20, 4 << 20,
        shardsPerReplicaSet, 100, Duration.ofSeconds(30), Duration.ofSeconds(15), new BatchLimits(1000, 1 << 20, 0), 4, 64 << 20,
        new CatalogCaps(100_000, 1_000), Duration.ofSeconds(60));
    return new ShardPlacement(settings, ids(), new java.util.Random(seed));
  }

  private ShardPlacement.Choice declare(ShardPlacement placement, ShardPlacement.Request request,
      java.util.function.Function<String, String> leaders) {
    ShardPlacement.Choice choice = placement.choose(meta, request, leaders);
    if (choice.create()) {
      assertThat(meta.apply(MetaCommand.newBuilder()
          .setAddShard(AddShard.newBuilder().setShard(choice.shard())).build()).getErrorCode()).isEqualTo(Status.OK);
    }
    assertThat(meta.apply(MetaCommand.newBuilder().setBindQueue(BindQueue.newBuilder()
        .setQueue("q" + ++queues).setGroup(choice.shard().getGroup())).build()).getErrorCode()).isEqualTo(Status.OK);
    return choice;
  }

  @Test
  void replicaCountsComeFromTheRequestAndSpreadOverTheNodesWithFewestReplicas() {
    ShardPlacement placement = fiveNodes(1, 7);
    ShardPlacement.Choice all = declare(placement, new ShardPlacement.Request(5, List.of(), false, false, "n1"), g -> null);
    assertThat(all.shard().getReplicasList()).containsExactly("n1", "n2", "n3", "n4", "n5");

    ShardPlacement.Choice two = declare(placement, new ShardPlacement.Request(2, List.of(), false, false, "n1"), g -> null);
    ShardPlacement.Choice twoMore = declare(placement, new ShardPlacement.Request(2, List.of(), false, false, "n1"), g -> null);
    assertThat(two.shard().getReplicasList()).hasSize(2);
    // The second pair avoids the nodes the first pair loaded: fewest replicas first.
    assertThat(twoMore.shard().getReplicasList()).hasSize(2).doesNotContainAnyElementsOf(two.shard().getReplicasList());
    assertThat(twoMore.create()).isTrue();

    // More replicas than nodes: every node.
    ShardPlacement.Choice many = declare(placement, new ShardPlacement.Request(9, List.of(), false, false, "n1"), g -> null);
    assertThat(many.shard()).isEqualTo(all.shard());
  }

  @Test
  void tiesOnReplicasAreBrokenByFewestQueuesThenBySeededChance() {
    List<List<String>> first = new ArrayList<>();
    for (long seed : new long[] {1, 1, 2, 3, 4, 5}) {
      MetaMachine fresh = new MetaMachine();
      ShardPlacement p = fiveNodes(1, seed);
      first.add(p.choose(fresh, new ShardPlacement.Request(2, List.of(), false, false, "n1"), g -> null)
          .shard().getReplicasList());
    }
    assertThat(first.get(0)).as("same seed, same choice").isEqualTo(first.get(1));
    assertThat(new java.util.HashSet<>(first)).as("other seeds spread the choice").hasSizeGreaterThan(1);

    // n1..n5 all hold one replica; the shard on n4,n5 carries two queues, so those two lose the tie.
    ShardPlacement placement = fiveNodes(1, 11);
    ShardDef heavy = ShardDef.newBuilder().setGroup(group(100)).addAllReplicas(List.of("n4", "n5"))
        .setPreferredLeader("n4").build();
    ShardDef light = ShardDef.newBuilder().setGroup(group(101)).addAllReplicas(List.of("n1", "n2", "n3"))
        .setPreferredLeader("n1").build();
    for (ShardDef s : List.of(heavy, light)) {
      meta.apply(MetaCommand.newBuilder().setAddShard(AddShard.newBuilder().setShard(s)).build());
    }
    for (String q : List.of("h1", "h2")) {
      meta.apply(MetaCommand.newBuilder().setBindQueue(BindQueue.newBuilder().setQueue(q).setGroup(group(100))).build());
    }
    ShardPlacement.Choice c = placement.choose(meta, new ShardPlacement.Request(3, List.of(), false, false, "n1"), g -> null);
    assertThat(c.shard().getReplicasList()).containsExactly("n1", "n2", "n3");
    assertThat(c.create()).isFalse();
  }

  @Test
  void namedNodesAreTheReplicaSetAndUnknownNamesAreIgnoredOrRefused() {
    ShardPlacement placement = fiveNodes(1, 3);
    ShardPlacement.Choice c = declare(placement,
        new ShardPlacement.Request(0, List.of("n4", "n2", "n9"), false, false, "n1"), g -> null);
    assertThat(c.shard().getReplicasList()).containsExactly("n2", "n4");

    assertThatThrownBy(() -> placement.choose(meta, new ShardPlacement.Request(0, List.of("n9"), false, false, "n1"), g -> null))
        .isInstanceOfSatisfying(RequestException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.FAILED_PRECONDITION);
          assertThat(e.getMessage()).contains("n9");
        });
  }

  @Test
  void clientLocalPrefersAShardLedByTheDeclaringNodeAndBalancedTheLeastLoadedLeader() {
    ShardPlacement placement = placement(3, 100);
    for (int i = 0; i < 3; i++) {
      declareShared(placement); // shards 1..3 preferred-led by n1, n2, n3
    }
    // Leadership has since moved: n3 leads shards 1 and 3, n2 leads shard 2.
    Map<String, String> leaders = Map.of(group(1), "n3", group(2), "n2", group(3), "n3");
    ShardPlacement.Choice local = declare(placement, new ShardPlacement.Request(3, List.of(), false, true, "n2"), leaders::get);
    assertThat(local.shard().getGroup()).isEqualTo(group(2));
    ShardPlacement.Choice local3 = declare(placement, new ShardPlacement.Request(3, List.of(), false, true, "n3"), leaders::get);
    assertThat(local3.shard().getGroup()).as("of n3's shards, the one with fewer queues").isIn(group(1), group(3));

    // Balanced: n3 leads shards 1 and 3 (three queues), n2 leads shard 2 (two): shard 2.
    ShardPlacement.Choice balanced = declare(placement, new ShardPlacement.Request(3, List.of(), false, false, "n3"), leaders::get);
    assertThat(balanced.shard().getGroup()).isEqualTo(group(2));
  }

  @Test
  void aNewShardUnderClientLocalIsLedByTheDeclaringNode() {
    ShardPlacement placement = placement(3, 100);
    ShardPlacement.Choice c = declare(placement, new ShardPlacement.Request(3, List.of(), false, true, "n3"), g -> null);
    assertThat(c.create()).isTrue();
    assertThat(c.shard().getPreferredLeader()).isEqualTo("n3");
  }

  @Test
  void aMoveNeverLandsOnAShardItIsExcludedFrom() {
    ShardPlacement placement = placement(2, 100);
    String first = declareShared(placement).shard().getGroup();
    String second = declareShared(placement).shard().getGroup();

    // Both shards of the set exist: without exclusions one of them is chosen.
    ShardPlacement.Choice free = placement.choose(meta, request(false, "n1"), g -> null);
    assertThat(free.create()).isFalse();

    ShardPlacement.Choice notFirst = placement.choose(meta, request(false, "n1"), g -> null, java.util.Set.of(first));
    assertThat(notFirst.create()).isFalse();
    assertThat(notFirst.shard().getGroup()).isEqualTo(second);

    // Every shard of the set excluded: a new one, even past shards_per_replica_set.
    ShardPlacement.Choice fresh = placement.choose(meta, request(false, "n1"), g -> null,
        java.util.Set.of(first, second));
    assertThat(fresh.create()).isTrue();
    assertThat(fresh.shard().getGroup()).isNotIn(first, second);
    assertThat(fresh.shard().getReplicasList()).isEqualTo(ALL);
  }

  @Test
  void aForgottenNodeIsNeverPlacedOnEvenWhenShardsStillListIt() {
    ShardPlacement placement = placement(1, 100);
    declare(placement, false, "n1");
    meta.apply(MetaCommand.newBuilder().setForgetNode(io.qraft.api.log.v1.ForgetNode.newBuilder().setNode("n3")).build());
    for (int i = 0; i < 4; i++) {
      ShardPlacement.Choice choice = placement.choose(meta, request(false, "n1"), g -> null);
      assertThat(choice.shard().getReplicasList()).as("asked for 3 of 3 members, one forgotten")
          .containsExactly("n1", "n2");
      declare(placement, true, "n2");
    }
    assertThatThrownBy(() -> placement.choose(meta,
        new ShardPlacement.Request(1, List.of("n3"), false, false, "n1"), g -> null))
        .hasMessageContaining("none of which is a cluster member");
  }
}
