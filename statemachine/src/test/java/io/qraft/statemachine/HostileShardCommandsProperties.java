package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.AdoptQueue;
import io.qraft.api.log.v1.Attach;
import io.qraft.api.log.v1.CarriedSequence;
import io.qraft.api.log.v1.CreateQueue;
import io.qraft.api.log.v1.DeleteQueue;
import io.qraft.api.log.v1.Deliver;
import io.qraft.api.log.v1.Detach;
import io.qraft.api.log.v1.Enqueue;
import io.qraft.api.log.v1.Purge;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ReturnDeliveries;
import io.qraft.api.log.v1.SealQueue;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.log.v1.SyncDone;
import io.qraft.api.log.v1.SyncIn;
import io.qraft.api.log.v1.SyncOut;
import io.qraft.api.log.v1.SyncedMessage;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.Message;
import io.qraft.storage.RocksQueueStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A shard fed random and hostile commands straight into apply, as a raw
 * client or a damaged peer could get them committed: oversized and empty
 * names, producer and consumer ids past their limits, lone surrogates,
 * unsigned counts past 2^31, stale, duplicate and invented delivery tags,
 * unknown outcomes, thousands of headers, moves in any order. Apply never
 * throws, a refused command changes nothing, the machine's memory agrees with
 * its store, and two replicas fed the same entries answer and store the same.
 *
 * <p>jqwik prints the seed of a failing run and shrinks the sequence; rerun
 * it with {@code @Property(seed = "...")}.
 */
class HostileShardCommandsProperties {
  private static final String SYNC = QueueMachine.SYNC_PREFIX;

  @Property(tries = 250)
  void applyNeverThrowsRefusalsChangeNothingAndReplicasAgree(@ForAll("hostileEntries") List<ShardCommand> entries) {
    try (TestShard first = TestShard.inMemory(); TestShard second = TestShard.inMemory()) {
      feed(entries, first, second);
    }
  }

  @Property(tries = 25)
  void theSameHoldsOnRocksDb(@ForAll("hostileEntries") List<ShardCommand> entries) throws IOException {
    Path dir = Files.createTempDirectory("hostile-shard");
    try (TestShard first = new TestShard(RocksQueueStore.open(dir.resolve("a")));
        TestShard second = new TestShard(RocksQueueStore.open(dir.resolve("b")))) {
      feed(entries, first, second);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void feed(List<ShardCommand> entries, TestShard first, TestShard second) {
    for (int i = 0; i < entries.size(); i++) {
      ShardCommand entry = entries.get(i);
      if (i == entries.size() / 2) {
        // The second replica restarts half way: from its store it must go on deciding as the first.
        second.restart();
      }
      List<String> before = first.dump();
      ShardResult[] answers = new ShardResult[2];
      assertThatCode(() -> answers[0] = first.apply(entry)).as(describe(entry)).doesNotThrowAnyException();
      answers[1] = second.apply(entry);
      assertThat(answers[1]).as("second replica's answer to %s", describe(entry)).isEqualTo(answers[0]);
      if (answers[0].getErrorCode() != Status.OK) {
        assertThat(answers[0].getErrorMessage()).as("reason for refusing %s", describe(entry)).isNotBlank()
            .doesNotContain("Exception").hasSizeLessThan(2_000);
        assertThat(first.dump()).as("store after refusing %s", describe(entry)).isEqualTo(before);
      }
      first.assertConsistent();
    }
    assertThat(second.export()).isEqualTo(first.export());
    // The same deliveries to attached consumers (and the other events) on both.
    assertThat(second.events.seen).isEqualTo(first.events.seen);
    // A replica restarted over its store reads back the same state.
    first.restart();
    first.assertConsistent();
  }

  private static String describe(ShardCommand entry) {
    return Cmd.describe(entry);
  }

  @Provide
  Arbitrary<List<ShardCommand>> hostileEntries() {
    return command().list().ofMinSize(1).ofMaxSize(40);
  }

  private static Arbitrary<ShardCommand> command() {
    Arbitrary<ShardCommand.Builder> kind = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, create()),
        net.jqwik.api.Tuple.of(1, queue().map(q -> ShardCommand.newBuilder().setDeleteQueue(DeleteQueue.newBuilder().setQueue(q)))),
        net.jqwik.api.Tuple.of(8, enqueue()),
        net.jqwik.api.Tuple.of(5, deliver()),
        net.jqwik.api.Tuple.of(5, settle()),
        net.jqwik.api.Tuple.of(1, queue().map(q -> ShardCommand.newBuilder().setPurge(Purge.newBuilder().setQueue(q)))),
        net.jqwik.api.Tuple.of(2, Combinators.combine(consumerId(), Arbitraries.of(true, false), Arbitraries.of(true, false))
            .as((c, all, keep) -> ShardCommand.newBuilder().setReturnDeliveries(ReturnDeliveries.newBuilder()
                .setConsumerId(c).setAll(all).setKeepAttached(keep)))),
        net.jqwik.api.Tuple.of(4, Combinators.combine(queue(), consumerId(), prefetch(), millis()).as((q, c, p, t) ->
            ShardCommand.newBuilder().setAttach(Attach.newBuilder().setQueue(q).setConsumerId(c).setPrefetch(p)
                .setConsumerTimeoutMs(t)))),
        net.jqwik.api.Tuple.of(2, Combinators.combine(queue(), consumerId(), Arbitraries.of(true, false)).as((q, c, l) ->
            ShardCommand.newBuilder().setDetach(Detach.newBuilder().setQueue(q).setConsumerId(c).setAfterLeaderChange(l)))),
        net.jqwik.api.Tuple.of(3, setLimits()),
        net.jqwik.api.Tuple.of(3, queue().list().ofMaxSize(2).map(qs -> ShardCommand.newBuilder()
            .setTick(io.qraft.api.log.v1.Tick.newBuilder().addAllUsedQueues(qs)))),
        net.jqwik.api.Tuple.of(2, Combinators.combine(queue(), Arbitraries.longs().between(-1, 6).list().ofMaxSize(4),
            Arbitraries.of(true, false)).as((q, offsets, dropped) -> ShardCommand.newBuilder().setDeadLetterDone(
                io.qraft.api.log.v1.DeadLetterDone.newBuilder().setQueue(q).addAllOffsets(offsets).setDropped(dropped)))),
        net.jqwik.api.Tuple.of(1, queue().map(q -> ShardCommand.newBuilder().setDeleteQueue(DeleteQueue.newBuilder()
            .setQueue(q).setOnlyIfExpired(true)))),
        net.jqwik.api.Tuple.of(1, queue().map(q -> ShardCommand.newBuilder().setSealQueue(SealQueue.newBuilder().setQueue(q)))),
        net.jqwik.api.Tuple.of(1, adopt()),
        net.jqwik.api.Tuple.of(1, Combinators.combine(queue(), group(), anyInt()).as((q, g, n) ->
            ShardCommand.newBuilder().setSyncOut(SyncOut.newBuilder().setQueue(q).setToGroup(g).setMaxCount(n)
                .setMaxBytes(n * 7L)))),
        net.jqwik.api.Tuple.of(1, syncIn()),
        net.jqwik.api.Tuple.of(1, Combinators.combine(queue(), group()).as((q, g) ->
            ShardCommand.newBuilder().setSyncDone(SyncDone.newBuilder().setQueue(q).setToGroup(g)))),
        net.jqwik.api.Tuple.of(1, Arbitraries.create(ShardCommand::newBuilder)));
    return Combinators.combine(kind, leaderTime()).as((b, t) -> b.setLeaderTimeMs(t).build());
  }

  private static Arbitrary<ShardCommand.Builder> create() {
    Arbitrary<Map<String, String>> arguments = Arbitraries.of(Map.of(), Map.of("ack-mode", "quorum"),
        Map.of("ack-mode", "local"), Map.of("colour", "x".repeat(70_000)), Map.of("\uD800", ""));
    return Combinators.combine(queue(), arguments).as((q, a) ->
        ShardCommand.newBuilder().setCreateQueue(CreateQueue.newBuilder().setQueue(q).putAllArguments(a)));
  }

  private static Arbitrary<ShardCommand.Builder> enqueue() {
    Arbitrary<QueuePublish> publish = Combinators.combine(queue(), producerId(), sequence(),
        message().list().ofMaxSize(3)).as((q, p, s, m) ->
        QueuePublish.newBuilder().setQueue(q).setProducerId(p).setSequence(s).addAllMessages(m).build());
    return publish.list().ofMinSize(0).ofMaxSize(4)
        .map(ps -> ShardCommand.newBuilder().setEnqueue(Enqueue.newBuilder().addAllPublishes(ps)));
  }

  private static Arbitrary<ShardCommand.Builder> deliver() {
    return Combinators.combine(queue(), consumerId(), anyInt(), Arbitraries.of(true, false), Arbitraries.of(true, false))
        .as((q, c, n, settle, fromStore) -> ShardCommand.newBuilder().setDeliver(Deliver.newBuilder().setQueue(q)
            .setConsumerId(c).setMaxCount(n).setSettle(settle).setMessagesFromStore(fromStore)));
  }

  private static Arbitrary<ShardCommand.Builder> settle() {
    Arbitrary<DeliveryTag> tag = Combinators.combine(
        Arbitraries.frequency(net.jqwik.api.Tuple.of(8, 0L), net.jqwik.api.Tuple.of(8, 1L), net.jqwik.api.Tuple.of(6, 2L),
            net.jqwik.api.Tuple.of(3, 3L), net.jqwik.api.Tuple.of(1, -1L), net.jqwik.api.Tuple.of(1, Long.MAX_VALUE)),
        Arbitraries.frequency(net.jqwik.api.Tuple.of(8, 1), net.jqwik.api.Tuple.of(3, 2), net.jqwik.api.Tuple.of(1, 0),
            net.jqwik.api.Tuple.of(1, -1)),
        Arbitraries.of("", "", "", "g1", "\uDC00"))
        .as((o, d, part) -> DeliveryTag.newBuilder().setOffset(o).setDeliveryCount(d).setPart(part).build());
    Arbitrary<Long> delay = Arbitraries.of(0L, 0L, 0L, 10L, 5_000L, 86_400_001L, -1L);
    return Combinators.combine(queue(), tag.list().ofMaxSize(4), Arbitraries.of(0, 0, 1, 2, 7, -3), delay)
        .as((q, tags, outcome, after) -> ShardCommand.newBuilder().setSettle(Settle.newBuilder().setQueue(q)
            .addAllTags(tags).setOutcomeValue(outcome).setRequeueAfterMs(after)));
  }

  /** Limits of every kind, hostile values among them (out of range, unknown overflow, bad names). */
  private static Arbitrary<ShardCommand.Builder> setLimits() {
    Arbitrary<io.qraft.api.log.v1.QueueLimits> limits = Combinators.combine(millis(),
        Arbitraries.of(-1L, 0L, 1L, 2L, 3L, 1L << 50), Arbitraries.of(-1L, 0L, 2L, 8L),
        Arbitraries.of(0, 0, 1, 7), Arbitraries.of(0, 1, 2, 3, -1), Arbitraries.of("", "", "a", "b", "\uDC00"),
        millis(), Arbitraries.of(true, false))
        .as((ttl, maxLength, maxBytes, overflow, deliveryLimit, dlq, timeout, sac) -> {
          io.qraft.api.log.v1.QueueLimits.Builder l = io.qraft.api.log.v1.QueueLimits.newBuilder()
              .setMessageTtlMs(ttl).setOverflowValue(overflow).setDeliveryLimit(deliveryLimit)
              .setDeadLetterQueue(dlq).setConsumerTimeoutMs(timeout).setSingleActiveConsumer(sac)
              .setExpiresMs(ttl);
          if (maxLength >= 0) {
            l.setMaxLength(maxLength);
          }
          if (maxBytes >= 0) {
            l.setMaxLengthBytes(maxBytes);
          }
          return l.build();
        });
    return Combinators.combine(queue(), limits).as((q, l) -> ShardCommand.newBuilder()
        .setSetLimits(io.qraft.api.log.v1.SetLimits.newBuilder().setQueue(q).setLimits(l)));
  }

  /** Times in ms a limit or a consumer may give: none, short, long, past the ceiling, negative. */
  private static Arbitrary<Long> millis() {
    return Arbitraries.of(0L, 0L, 1L, 50L, 3_000L, 1L << 33, -1L);
  }

  private static Arbitrary<ShardCommand.Builder> adopt() {
    Arbitrary<CarriedSequence> carried = Combinators.combine(producerId(), sequence(),
        Arbitraries.longs().between(-2, 5).list().ofMaxSize(3)).as((p, s, offsets) ->
        CarriedSequence.newBuilder().setProducerId(p).setSequence(s).addAllOffsets(offsets).build());
    return Combinators.combine(queue(), Arbitraries.of(0L, 3L, 1L << 62, -1L), carried.list().ofMaxSize(3))
        .as((q, next, seqs) -> ShardCommand.newBuilder().setAdoptQueue(AdoptQueue.newBuilder().setQueue(q)
            .setNextOffset(next).addAllSequences(seqs)));
  }

  private static Arbitrary<ShardCommand.Builder> syncIn() {
    Arbitrary<SyncedMessage> synced = Combinators.combine(Arbitraries.longs().between(-1, 6), message(),
        Arbitraries.integers().between(-1, 3), consumerId()).as((o, m, d, c) -> SyncedMessage.newBuilder().setOffset(o)
        .setStored(StoredMessage.newBuilder().setMessage(m).setDeliveryCount(d).setConsumerId(c)).build());
    return Combinators.combine(queue(), synced.list().ofMaxSize(3)).as((q, ms) ->
        ShardCommand.newBuilder().setSyncIn(SyncIn.newBuilder().setQueue(q).addAllMessages(ms)));
  }

  private static Arbitrary<Message> message() {
    Arbitrary<Map<String, String>> headers = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, Arbitraries.just(Map.<String, String>of())),
        net.jqwik.api.Tuple.of(4, Arbitraries.just(Map.of("k", "v"))),
        net.jqwik.api.Tuple.of(3, Arbitraries.of("0", "40", "1000000", "-5", "x", "99999999999999999999")
            .map(ttl -> Map.of("ttl-ms", ttl))),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(manyHeaders(1_100))),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Map.of("big", "v".repeat(1_100_000)))));
    return Combinators.combine(Arbitraries.strings().ofMaxLength(8), headers).as((body, h) ->
        Message.newBuilder().setBody(ByteString.copyFromUtf8(body)).putAllHeaders(h).build());
  }

  private static Map<String, String> manyHeaders(int n) {
    Map<String, String> out = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      out.put("h" + i, "v");
    }
    return out;
  }

  private static Arbitrary<String> queue() {
    return Arbitraries.frequency(net.jqwik.api.Tuple.of(10, "a"), net.jqwik.api.Tuple.of(6, "b"),
        net.jqwik.api.Tuple.of(3, "é/ü"), net.jqwik.api.Tuple.of(1, ""), net.jqwik.api.Tuple.of(1, "q".repeat(256)),
        net.jqwik.api.Tuple.of(1, "q".repeat(70_000)), net.jqwik.api.Tuple.of(1, "bad\uD800"),
        net.jqwik.api.Tuple.of(1, "nul\u0000x"));
  }

  private static Arbitrary<String> producerId() {
    return Arbitraries.frequency(net.jqwik.api.Tuple.of(6, ""), net.jqwik.api.Tuple.of(6, "p1"),
        net.jqwik.api.Tuple.of(3, "p2"), net.jqwik.api.Tuple.of(1, "p".repeat(1_025)),
        net.jqwik.api.Tuple.of(1, "p".repeat(70_000)), net.jqwik.api.Tuple.of(1, "\uDC00p"));
  }

  private static Arbitrary<String> consumerId() {
    return Arbitraries.frequency(net.jqwik.api.Tuple.of(6, "c1"), net.jqwik.api.Tuple.of(4, "c2"),
        net.jqwik.api.Tuple.of(1, ""), net.jqwik.api.Tuple.of(1, SYNC + "g1"), net.jqwik.api.Tuple.of(1, "c".repeat(70_000)),
        net.jqwik.api.Tuple.of(1, "\uD800"));
  }

  private static Arbitrary<String> group() {
    return Arbitraries.of("g1", "g2", "", "g".repeat(300), SYNC);
  }

  private static Arbitrary<Long> sequence() {
    return Arbitraries.frequency(net.jqwik.api.Tuple.of(5, 0L), net.jqwik.api.Tuple.of(5, 1L),
        net.jqwik.api.Tuple.of(3, 2L), net.jqwik.api.Tuple.of(1, -1L), net.jqwik.api.Tuple.of(1, Long.MIN_VALUE));
  }

  /** Small counts mostly; sometimes the edges an unsigned field reaches (2^31 and past it read as negative). */
  private static Arbitrary<Integer> anyInt() {
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(0, 4)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(Integer.MIN_VALUE, -1, Integer.MAX_VALUE, 65_536, 10_001)));
  }

  /** Attach's prefetch: small mostly; 0, the ceiling, past it and unsigned values read negative sometimes. */
  private static Arbitrary<Integer> prefetch() {
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(1, 3)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(0, io.qraft.api.HardLimits.PREFETCH, io.qraft.api.HardLimits.PREFETCH + 1,
            -1, Integer.MIN_VALUE, Integer.MAX_VALUE)));
  }

  private static Arbitrary<Long> leaderTime() {
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(
            Cmd.LEADER_TIME_MS, Cmd.LEADER_TIME_MS + 1_000_000)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE)));
  }
}
