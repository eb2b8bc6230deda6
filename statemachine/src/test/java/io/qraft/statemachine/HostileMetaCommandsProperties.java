package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.qraft.api.log.v1.AddShard;
import io.qraft.api.log.v1.BeginMove;
import io.qraft.api.log.v1.BindQueue;
import io.qraft.api.log.v1.ClearPolicy;
import io.qraft.api.log.v1.ClearStalePart;
import io.qraft.api.log.v1.DropPart;
import io.qraft.api.log.v1.FinishMove;
import io.qraft.api.log.v1.ForgetNode;
import io.qraft.api.log.v1.MembershipSet;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.MetaState;
import io.qraft.api.log.v1.PinReplicas;
import io.qraft.api.log.v1.PolicyDef;
import io.qraft.api.log.v1.RemoveShard;
import io.qraft.api.log.v1.ReplaceReplica;
import io.qraft.api.log.v1.SetPolicy;
import io.qraft.api.log.v1.SetQueueSync;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.log.v1.UnbindQueue;
import io.qraft.api.log.v1.ChangePassword;
import io.qraft.api.log.v1.ClearPermissions;
import io.qraft.api.log.v1.DeleteUser;
import io.qraft.api.log.v1.PutUser;
import io.qraft.api.log.v1.SetPermissions;
import io.qraft.api.log.v1.SetUserTags;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The metadata machine fed random and hostile commands: oversized and empty
 * names, unknown groups and nodes, policies with backtracking, invalid or
 * oversized patterns and definitions, caps on queues and policies, users with
 * bad names, hashes, tags and permission patterns. Apply never
 * throws, a refused command changes nothing, and two replicas fed the same
 * entries answer the same and export the same state.
 */
class HostileMetaCommandsProperties {
  @Property(tries = 300)
  void applyNeverThrowsRefusalsChangeNothingAndReplicasAgree(@ForAll("hostileEntries") List<MetaCommand> entries) {
    MetaMachine first = new MetaMachine();
    MetaMachine second = new MetaMachine();
    for (MetaCommand entry : entries) {
      MetaState before = first.export();
      MetaResult[] answers = new MetaResult[2];
      assertThatCode(() -> answers[0] = first.apply(entry)).as(describe(entry)).doesNotThrowAnyException();
      answers[1] = second.apply(entry);
      assertThat(answers[1]).as("second replica's answer to %s", describe(entry)).isEqualTo(answers[0]);
      if (answers[0].getErrorCode() != Status.OK) {
        assertThat(answers[0].getErrorMessage()).isNotBlank().doesNotContain("Exception").hasSizeLessThan(2_000);
        assertThat(first.export()).as("state after refusing %s", describe(entry)).isEqualTo(before);
      }
    }
    assertThat(second.export()).isEqualTo(first.export());
    MetaMachine restored = new MetaMachine();
    restored.load(first.export());
    assertThat(restored.export()).isEqualTo(first.export());
  }

  private static String describe(MetaCommand entry) {
    return Cmd.describe(entry);
  }

  @Provide
  Arbitrary<List<MetaCommand>> hostileEntries() {
    return command().list().ofMinSize(1).ofMaxSize(40);
  }

  private static Arbitrary<MetaCommand> command() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Combinators.combine(group(), node().list().ofMaxSize(4), node(), Arbitraries.of(true, false))
            .as((g, replicas, leader, dedicated) -> MetaCommand.newBuilder().setAddShard(AddShard.newBuilder().setShard(
                ShardDef.newBuilder().setGroup(g).addAllReplicas(replicas).setPreferredLeader(leader)
                    .setDedicated(dedicated))).build())),
        Tuple.of(1, group().map(g -> MetaCommand.newBuilder().setRemoveShard(RemoveShard.newBuilder().setGroup(g)).build())),
        Tuple.of(5, Combinators.combine(queue(), group(), arguments(), Arbitraries.of(0L, 0L, 1L, 2L, -1L))
            .as((q, g, a, max) -> MetaCommand.newBuilder().setBindQueue(BindQueue.newBuilder().setQueue(q).setGroup(g)
                .putAllArguments(a).setMaxQueues(max)).build())),
        Tuple.of(2, queue().map(q -> MetaCommand.newBuilder().setUnbindQueue(UnbindQueue.newBuilder().setQueue(q)).build())),
        Tuple.of(4, policy()),
        Tuple.of(1, Arbitraries.of("p1", "p2", "", "p".repeat(70_000)).map(n ->
            MetaCommand.newBuilder().setClearPolicy(ClearPolicy.newBuilder().setName(n)).build())),
        Tuple.of(2, Combinators.combine(queue(), group()).as((q, g) ->
            MetaCommand.newBuilder().setBeginMove(BeginMove.newBuilder().setQueue(q).setToGroup(g)).build())),
        Tuple.of(2, Combinators.combine(queue(), group(), Arbitraries.of(true, false)).as((q, g, has) ->
            MetaCommand.newBuilder().setFinishMove(FinishMove.newBuilder().setQueue(q).setToGroup(g)
                .setOldPartHasMessages(has).setOldPartMessages(has ? 3 : 0)).build())),
        Tuple.of(1, Combinators.combine(queue(), group(), Arbitraries.of(true, false)).as((q, g, up) ->
            MetaCommand.newBuilder().setDropPart(DropPart.newBuilder().setQueue(q).setGroup(g).setGivenUp(up)
                .setMessagesSeen(up ? 5 : 0)).build())),
        Tuple.of(1, Combinators.combine(queue(), Arbitraries.of(true, false)).as((q, sync) ->
            MetaCommand.newBuilder().setSetQueueSync(SetQueueSync.newBuilder().setQueue(q).setSync(sync)).build())),
        Tuple.of(1, Combinators.combine(queue(), node().list().ofMaxSize(3)).as((q, nodes) ->
            MetaCommand.newBuilder().setPinReplicas(PinReplicas.newBuilder().setQueue(q).addAllReplicas(nodes)
                .setPinnedFor("x")).build())),
        Tuple.of(1, node().map(n -> MetaCommand.newBuilder().setForgetNode(ForgetNode.newBuilder().setNode(n)).build())),
        Tuple.of(1, Combinators.combine(group(), node(), Arbitraries.of("", "n3", "n4", "n".repeat(300))).as((g, n, r) ->
            MetaCommand.newBuilder().setReplaceReplica(ReplaceReplica.newBuilder().setGroup(g).setNode(n)
                .setReplacement(r)).build())),
        Tuple.of(1, group().map(g -> MetaCommand.newBuilder().setMembershipSet(MembershipSet.newBuilder().setGroup(g)).build())),
        Tuple.of(1, Combinators.combine(queue(), group()).as((q, g) ->
            MetaCommand.newBuilder().setClearStalePart(ClearStalePart.newBuilder().setQueue(q).setGroup(g)
                .setMessages(2)).build())),
        Tuple.of(4, userCommand()),
        Tuple.of(1, Arbitraries.create(() -> MetaCommand.getDefaultInstance())));
  }

  private static Arbitrary<MetaCommand> userCommand() {
    Arbitrary<String> hash = Arbitraries.of("argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "pbkdf2-sha256$1$a$b", "",
        "h".repeat(2_000), "plain text", "h\u00e9");
    Arbitrary<List<String>> tags = Arbitraries.of(List.of(), List.of("administrator"),
        List.of("monitoring", "administrator", "monitoring"), List.of("management"), List.of(""));
    Arbitrary<String> pattern = Arbitraries.of("", "", ".*", "^u1\\.", "^(a+)+$", "(", "(?<=a)b", "\\1", "a{1001}",
        "x".repeat(2_000), "\u00e9\uD800");
    return Arbitraries.frequencyOf(
        Tuple.of(4, Combinators.combine(user(), hash, tags).as((u, h, t) ->
            MetaCommand.newBuilder().setPutUser(PutUser.newBuilder().setName(u).setPasswordHash(h).addAllTags(t)).build())),
        Tuple.of(1, user().map(u -> MetaCommand.newBuilder().setDeleteUser(DeleteUser.newBuilder().setName(u)).build())),
        Tuple.of(1, Combinators.combine(user(), tags).as((u, t) ->
            MetaCommand.newBuilder().setSetUserTags(SetUserTags.newBuilder().setName(u).addAllTags(t)).build())),
        Tuple.of(2, Combinators.combine(user(), hash).as((u, h) ->
            MetaCommand.newBuilder().setChangePassword(ChangePassword.newBuilder().setName(u).setPasswordHash(h)).build())),
        Tuple.of(3, Combinators.combine(user(), pattern, pattern, pattern).as((u, c, w, r) ->
            MetaCommand.newBuilder().setSetPermissions(SetPermissions.newBuilder().setUser(u).setConfigure(c).setWrite(w)
                .setRead(r)).build())),
        Tuple.of(1, user().map(u -> MetaCommand.newBuilder().setClearPermissions(ClearPermissions.newBuilder().setUser(u))
            .build())));
  }

  private static Arbitrary<String> user() {
    return Arbitraries.frequency(Tuple.of(8, "u1"), Tuple.of(5, "u2"), Tuple.of(1, ""), Tuple.of(1, "a:b"),
        Tuple.of(1, "x\n"), Tuple.of(1, "u".repeat(300)), Tuple.of(1, "bad\uDC00"));
  }

  private static Arbitrary<MetaCommand> policy() {
    Arbitrary<String> pattern = Arbitraries.of("^a", ".*", "^(a+)+$", "(", "(?<=a)b", "\\1", "x".repeat(5_000), "é\uD800");
    Arbitrary<Map<String, String>> definition = Arbitraries.of(Map.of("ha-mode", "all"),
        Map.of("ha-mode", "exactly", "ha-params", "2"), Map.of("ack-mode", "local"), Map.of(),
        Map.of("colour", "red"), Map.of("ha-mode", "nodes", "ha-params", "n1,,n2"),
        Map.of("ack-mode", "x".repeat(70_000)));
    return Combinators.combine(Arbitraries.of("p1", "p2", "", "p".repeat(300), " "), pattern,
        Arbitraries.of("queues", "exchanges", ""), Arbitraries.of(0, 5, Integer.MIN_VALUE), definition,
        Arbitraries.of(0L, 0L, 1L, 2L))
        .as((name, pat, applyTo, priority, def, max) -> MetaCommand.newBuilder().setSetPolicy(SetPolicy.newBuilder()
            .setPolicy(PolicyDef.newBuilder().setName(name).setPattern(pat).setApplyTo(applyTo).setPriority(priority)
                .putAllDefinition(def)).setMaxPolicies(max)).build());
  }

  private static Arbitrary<Map<String, String>> arguments() {
    return Arbitraries.of(Map.of(), Map.of("ack-mode", "quorum"), Map.of("k", "v".repeat(70_000)), Map.of("\uD800", "x"));
  }

  private static Arbitrary<String> queue() {
    return Arbitraries.frequency(Tuple.of(8, "a"), Tuple.of(5, "b"), Tuple.of(1, ""), Tuple.of(1, "q".repeat(256)),
        Tuple.of(1, "q".repeat(70_000)), Tuple.of(1, "bad\uDC00"));
  }

  private static Arbitrary<String> group() {
    return Arbitraries.frequency(Tuple.of(8, "g1"), Tuple.of(5, "g2"), Tuple.of(1, ""), Tuple.of(1, "g".repeat(300)));
  }

  private static Arbitrary<String> node() {
    return Arbitraries.frequency(Tuple.of(8, "n1"), Tuple.of(6, "n2"), Tuple.of(4, "n3"), Tuple.of(1, ""),
        Tuple.of(1, "n".repeat(70_000)));
  }
}
