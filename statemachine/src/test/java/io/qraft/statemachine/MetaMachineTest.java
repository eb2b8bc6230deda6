package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.AddShard;
import io.qraft.api.log.v1.BindQueue;
import io.qraft.api.log.v1.ClearPolicy;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.MetaState;
import io.qraft.api.log.v1.PolicyDef;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.RemoveShard;
import io.qraft.api.log.v1.SetPolicy;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.log.v1.UnbindQueue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cluster metadata: shards, which group carries each queue, removed groups, policies. */
class MetaMachineTest {
  private static final String G1 = "00000000-0000-0000-0000-000000000001";
  private static final String G2 = "00000000-0000-0000-0000-000000000002";
  private static final String G3 = "00000000-0000-0000-0000-000000000003";
  private static final Map<String, String> QUORUM = Map.of("ack-mode", "quorum");

  private MetaMachine meta;

  @BeforeEach
  void newMachine() {
    meta = new MetaMachine();
  }

  static ShardDef shard(String group, String leader, boolean dedicated) {
    return ShardDef.newBuilder().setGroup(group).addAllReplicas(List.of("n1", "n2", "n3"))
        .setPreferredLeader(leader).setDedicated(dedicated).build();
  }

  static MetaCommand add(ShardDef shard) {
    return MetaCommand.newBuilder().setAddShard(AddShard.newBuilder().setShard(shard)).build();
  }

  static MetaCommand remove(String group) {
    return MetaCommand.newBuilder().setRemoveShard(RemoveShard.newBuilder().setGroup(group)).build();
  }

  static MetaCommand bind(String queue, Map<String, String> arguments, String group) {
    return MetaCommand.newBuilder().setBindQueue(BindQueue.newBuilder()
        .setQueue(queue).putAllArguments(arguments).setGroup(group)).build();
  }

  static MetaCommand unbind(String queue) {
    return MetaCommand.newBuilder().setUnbindQueue(UnbindQueue.newBuilder().setQueue(queue)).build();
  }

  static PolicyDef policy(String name, String pattern, int priority, Map<String, String> definition) {
    return PolicyDef.newBuilder().setName(name).setPattern(pattern).setApplyTo("queues").setPriority(priority)
        .putAllDefinition(definition).build();
  }

  static MetaCommand set(PolicyDef policy) {
    return MetaCommand.newBuilder().setSetPolicy(SetPolicy.newBuilder().setPolicy(policy)).build();
  }

  static MetaCommand clear(String name) {
    return MetaCommand.newBuilder().setClearPolicy(ClearPolicy.newBuilder().setName(name)).build();
  }

  private MetaResult applyOk(MetaCommand command) {
    MetaResult r = meta.apply(command);
    assertThat(r.getErrorCode()).as(r.getErrorMessage()).isEqualTo(Status.OK);
    return r;
  }

  @Test
  void aCommitNoticeChangesNothing() {
    applyOk(add(shard(G1, "n1", false)));
    io.qraft.api.log.v1.MetaState before = meta.export();

    applyOk(io.qraft.api.log.v1.MetaCommand.newBuilder()
        .setCommitNotice(io.qraft.api.log.v1.CommitNotice.getDefaultInstance()).build());

    assertThat(meta.export()).isEqualTo(before);
  }

  @Test
  void addedShardIsListedWithNoQueues() {
    ShardDef s = shard(G1, "n2", false);

    assertThat(applyOk(add(s)).getCreated()).isTrue();

    assertThat(meta.shards()).containsExactly(s);
    assertThat(meta.shard(G1)).isEqualTo(s);
    assertThat(meta.queueCounts()).containsExactly(Map.entry(G1, 0));
    assertThat(meta.wasRemoved(G1)).isFalse();
  }

  @Test
  void addingTheSameShardTwiceKeepsOne() {
    applyOk(add(shard(G1, "n1", false)));
    applyOk(add(shard(G1, "n1", false)));

    assertThat(meta.shards()).hasSize(1);
  }

  @Test
  void bindQueueRecordsItsGroupAndArguments() {
    applyOk(add(shard(G1, "n1", false)));

    MetaResult r = applyOk(bind("orders", QUORUM, G1));

    assertThat(r.getCreated()).isTrue();
    QueueDef expected = QueueDef.newBuilder().setName("orders").putAllArguments(QUORUM).setGroup(G1).build();
    assertThat(r.getQueue()).isEqualTo(expected);
    assertThat(meta.queue("orders")).isEqualTo(expected);
    assertThat(meta.queues()).containsExactly(expected);
    assertThat(meta.queueCounts()).containsExactly(Map.entry(G1, 1));
  }

  @Test
  void bindWithTheSameArgumentsIsIdempotent() {
    applyOk(add(shard(G1, "n1", false)));
    applyOk(add(shard(G2, "n2", false)));
    applyOk(bind("orders", QUORUM, G1));

    MetaResult again = applyOk(bind("orders", QUORUM, G1));
    // A second declare placed elsewhere (a race of two declares) joins the first binding.
    MetaResult elsewhere = applyOk(bind("orders", QUORUM, G2));

    for (MetaResult r : List.of(again, elsewhere)) {
      assertThat(r.getCreated()).isFalse();
      assertThat(r.getQueue().getGroup()).isEqualTo(G1);
    }
    assertThat(meta.queues()).hasSize(1);
    assertThat(meta.queueCounts()).containsExactly(Map.entry(G1, 1), Map.entry(G2, 0));
  }

  @Test
  void bindWithOtherArgumentsIsRefusedAndChangesNothing() {
    applyOk(add(shard(G1, "n1", false)));
    applyOk(bind("orders", QUORUM, G1));
    MetaState before = meta.export();

    MetaResult r = meta.apply(bind("orders", Map.of("ack-mode", "local"), G1));
    MetaResult none = meta.apply(bind("orders", Map.of(), G1));

    assertThat(r.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(r.getErrorMessage()).contains("'orders'", "quorum", "local");
    assertThat(none.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(r.getCreated()).isFalse();
    assertThat(meta.export()).isEqualTo(before);
  }

  @Test
  void bindToAnUnknownGroupIsRefused() {
    applyOk(add(shard(G1, "n1", false)));

    MetaResult r = meta.apply(bind("orders", QUORUM, G2));

    assertThat(r.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(r.getErrorMessage()).contains(G2);
    assertThat(meta.queue("orders")).isNull();
    assertThat(meta.queueCounts()).containsExactly(Map.entry(G1, 0));
  }

  @Test
  void unbindForgetsTheQueueAndAllowsANewBinding() {
    applyOk(add(shard(G1, "n1", false)));
    applyOk(add(shard(G2, "n2", true)));
    applyOk(bind("orders", QUORUM, G1));

    MetaResult r = applyOk(unbind("orders"));

    assertThat(r.getQueue().getGroup()).isEqualTo(G1);
    assertThat(meta.queue("orders")).isNull();
    assertThat(meta.queueCounts()).containsEntry(G1, 0);
    assertThat(meta.apply(unbind("orders")).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    MetaResult rebound = applyOk(bind("orders", Map.of("ack-mode", "local"), G2));
    assertThat(rebound.getCreated()).isTrue();
    assertThat(meta.queue("orders").getGroup()).isEqualTo(G2);
  }

  @Test
  void removeShardIsRefusedWhileAQueueIsBound() {
    applyOk(add(shard(G1, "n1", false)));
    applyOk(bind("orders", QUORUM, G1));
    MetaState before = meta.export();

    MetaResult r = meta.apply(remove(G1));

    assertThat(r.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(r.getErrorMessage()).contains("'orders'");
    assertThat(meta.export()).isEqualTo(before);
    assertThat(meta.wasRemoved(G1)).isFalse();

    applyOk(unbind("orders"));
    applyOk(remove(G1));
    assertThat(meta.shards()).isEmpty();
    assertThat(meta.wasRemoved(G1)).isTrue();
    assertThat(meta.queueCounts()).isEmpty();
  }

  @Test
  void removeOfAnUnknownShardIsNotFound() {
    assertThat(meta.apply(remove(G1)).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    assertThat(meta.wasRemoved(G1)).isFalse();
  }

  @Test
  void removedGroupCannotBeAddedAgainNorBound() {
    applyOk(add(shard(G1, "n1", true)));
    applyOk(remove(G1));

    MetaResult again = meta.apply(add(shard(G1, "n1", true)));

    assertThat(again.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(again.getCreated()).isFalse();
    assertThat(meta.shards()).isEmpty();
    assertThat(meta.apply(bind("q", Map.of(), G1)).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(meta.apply(remove(G1)).getErrorCode()).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void emptyCommandIsRefused() {
    MetaResult r = meta.apply(MetaCommand.getDefaultInstance());

    assertThat(r.getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);
    assertThat(meta.export()).isEqualTo(MetaState.getDefaultInstance());
  }

  @Test
  void exportAndLoadRoundTrip() throws Exception {
    applyOk(add(shard(G3, "n3", false)));
    applyOk(add(shard(G1, "n1", false)));
    applyOk(add(shard(G2, "n2", true)));
    applyOk(bind("zeta", QUORUM, G1));
    applyOk(bind("alpha", Map.of(), G2));
    applyOk(bind("mid", Map.of("queue-log", "shared"), G1));
    applyOk(add(shard("gone", "n1", false)));
    applyOk(remove("gone"));
    MetaState state = meta.export();

    // Through bytes, as a snapshot file carries it.
    MetaMachine loaded = new MetaMachine();
    loaded.load(MetaState.parseFrom(state.toByteArray()));

    assertThat(loaded.export()).isEqualTo(state);
    assertThat(loaded.export().toByteArray()).isEqualTo(state.toByteArray());
    assertThat(loaded.shards()).isEqualTo(meta.shards());
    assertThat(loaded.queues()).isEqualTo(meta.queues());
    assertThat(loaded.queueCounts()).isEqualTo(Map.of(G1, 2, G2, 1, G3, 0));
    assertThat(loaded.wasRemoved("gone")).isTrue();
    // Sorted by key, whatever the order of the commands.
    assertThat(state.getShardsList()).extracting(ShardDef::getGroup).containsExactly(G1, G2, G3);
    assertThat(state.getQueuesList()).extracting(QueueDef::getName).containsExactly("alpha", "mid", "zeta");
    assertThat(state.getRemovedGroupsList()).containsExactly("gone");

    // The loaded machine goes on like the original.
    for (MetaCommand c : List.of(add(shard("gone", "n1", false)), remove(G1), bind("zeta", Map.of(), G3),
        bind("new", Map.of(), G3), unbind("mid"))) {
      assertThat(loaded.apply(c)).isEqualTo(meta.apply(c));
    }
    assertThat(loaded.export()).isEqualTo(meta.export());
  }

  @Test
  void loadReplacesEverything() {
    applyOk(add(shard(G1, "n1", false)));
    applyOk(bind("q", Map.of(), G1));

    meta.load(MetaState.newBuilder().addShards(shard(G2, "n2", false)).addRemovedGroups(G1).build());

    assertThat(meta.queues()).isEmpty();
    assertThat(meta.shards()).extracting(ShardDef::getGroup).containsExactly(G2);
    assertThat(meta.wasRemoved(G1)).isTrue();
    assertThat(meta.apply(add(shard(G1, "n1", false))).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
  }

  @Test
  void aPolicyIsStoredAndSettingItsNameAgainReplacesIt() {
    long before = meta.policiesVersion();
    PolicyDef first = policy("ha-two", "^important\\.", 10, Map.of("ha-mode", "exactly", "ha-params", "2"));
    PolicyDef second = policy("ha-two", "^vital\\.", 5, Map.of("ack-mode", "local"));

    assertThat(applyOk(set(first)).getCreated()).isTrue();
    assertThat(meta.policy("ha-two")).isEqualTo(first);
    assertThat(applyOk(set(second)).getCreated()).as("replaced, not created").isFalse();

    assertThat(meta.policies()).containsExactly(second);
    assertThat(meta.policiesVersion()).isGreaterThan(before);
  }

  @Test
  void aPolicyIsStoredInItsNormalisedForm() {
    applyOk(set(policy("p", ".*", 0, Map.of("ack-mode", " local ", "batch-size", "007"))));

    assertThat(meta.policy("p").getDefinitionMap()).containsExactly(Map.entry("ack-mode", "local"),
        Map.entry("batch-size", "7"));
  }

  @Test
  void anUnreadablePolicyIsRefusedAndNothingIsStored() {
    applyOk(set(policy("keep", ".*", 0, Map.of("ack-mode", "local"))));
    MetaState before = meta.export();
    long version = meta.policiesVersion();

    for (PolicyDef bad : List.of(
        policy("", ".*", 0, Map.of("ack-mode", "local")),
        policy("p", "([", 0, Map.of("ack-mode", "local")),
        policy("keep", ".*", 0, Map.of("colour", "blue")),
        policy("keep", ".*", 0, Map.of("ha-mode", "exactly")),
        policy("keep", ".*", 0, Map.of("ha-params", "2")),
        policy("keep", ".*", 0, Map.of()),
        policy("keep", ".*", 0, Map.of("ack-mode", "local")).toBuilder().setApplyTo("exchanges").build())) {
      MetaResult r = meta.apply(set(bad));
      assertThat(r.getErrorCode()).as("%s", bad).isEqualTo(Status.INVALID_ARGUMENT);
      assertThat(r.getErrorMessage()).isNotEmpty();
    }

    assertThat(meta.export()).isEqualTo(before);
    assertThat(meta.policiesVersion()).isEqualTo(version);
  }

  @Test
  void clearingRemovesThePolicyAndAnUnknownNameIsNotFound() {
    applyOk(set(policy("p", ".*", 0, Map.of("ack-mode", "local"))));

    applyOk(clear("p"));
    MetaResult again = meta.apply(clear("p"));

    assertThat(meta.policies()).isEmpty();
    assertThat(again.getErrorCode()).isEqualTo(Status.NOT_FOUND);
    assertThat(again.getErrorMessage()).contains("'p'");
  }

  @Test
  void policiesTravelInTheSnapshot() throws Exception {
    applyOk(add(shard(G1, "n1", false)));
    applyOk(bind("important.orders", Map.of(), G1));
    applyOk(set(policy("zz", "^important", 1, Map.of("ha-mode", "nodes", "ha-params", "n2,n1"))));
    applyOk(set(policy("aa", ".*", 0, Map.of("ack-mode", "local", "batch-linger-ms", "5"))));
    MetaState state = meta.export();

    MetaMachine loaded = new MetaMachine();
    long version = loaded.policiesVersion();
    loaded.load(MetaState.parseFrom(state.toByteArray()));

    assertThat(state.getPoliciesList()).extracting(PolicyDef::getName).containsExactly("aa", "zz");
    assertThat(loaded.export()).isEqualTo(state);
    assertThat(loaded.policies()).isEqualTo(meta.policies());
    assertThat(loaded.policiesVersion()).as("a cache must not outlive a load").isNotEqualTo(version);
    for (MetaCommand c : List.of(clear("zz"), clear("zz"), set(policy("aa", "x", 3, Map.of("queue-log", "dedicated"))))) {
      assertThat(loaded.apply(c)).isEqualTo(meta.apply(c));
    }
    assertThat(loaded.export()).isEqualTo(meta.export());
  }
}
