package io.qraft.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract of {@link QueueStore}, run against every implementation. */
abstract class QueueStoreContract {

  /** Names that trip up a careless key layout: prefixes of each other, NULs, multibyte UTF-8. */
  static final List<String> TRICKY_NAMES = List.of(
      "a", "ab", "b", "", "a\u0000", "a\u0000b", "\u0000", "\u00e9", "\u65e5\u672c\u8a9e", "\ud83d\ude42");

  @TempDir
  Path dir;

  QueueStore store;

  private final List<QueueStore> opened = new ArrayList<>();

  /** Opens a store whose files, if it has any, live in dir. */
  abstract QueueStore create(Path dir) throws IOException;

  QueueStore open(Path storeDir) throws IOException {
    QueueStore s = create(storeDir);
    opened.add(s);
    return s;
  }

  @BeforeEach
  void openStore() throws IOException {
    store = open(dir.resolve("store"));
  }

  @AfterEach
  void closeStores() {
    opened.forEach(QueueStore::close);
  }

  @Test
  void aNewStoreIsEmptyAtIndexZero() {
    assertThat(store.lastAppliedIndex()).isZero();
    assertThat(contentOf(store)).isEmpty();
    assertThat(store.queue("q")).isNull();
    assertThat(store.message("q", 0)).isNull();
  }

  @Test
  void aCommittedBatchIsVisibleWithItsIndex() {
    try (StoreBatch batch = store.newBatch()) {
      batch.putQueue("q", bytes("record"))
          .putMessage("q", 7, bytes("m7"))
          .putUnacked("q", 7, bytes("u7"))
          .commit(5);
    }

    assertThat(store.lastAppliedIndex()).isEqualTo(5);
    assertThat(store.queue("q")).isEqualTo(bytes("record"));
    assertThat(store.message("q", 7)).isEqualTo(bytes("m7"));
    assertThat(offsets(store, "q", 0)).containsExactly(entry(7, "m7"));
    assertThat(unacked(store, "q")).containsExactly(entry(7, "u7"));
  }

  @Test
  void nothingOfABatchIsVisibleBeforeItCommits() {
    try (StoreBatch batch = store.newBatch()) {
      batch.putQueue("q", bytes("record")).putMessage("q", 1, bytes("m1"));

      assertThat(store.queue("q")).isNull();
      assertThat(store.message("q", 1)).isNull();
      assertThat(store.lastAppliedIndex()).isZero();

      batch.commit(1);
    }
    assertThat(store.message("q", 1)).isEqualTo(bytes("m1"));
  }

  @Test
  void aBatchClosedWithoutCommitChangesNothing() {
    commit(store, 3, b -> b.putQueue("q", bytes("before")));
    Map<String, String> before = contentOf(store);

    try (StoreBatch batch = store.newBatch()) {
      batch.putQueue("q", bytes("after")).putMessage("q", 1, bytes("m1")).deleteQueue("q");
    }

    assertThat(contentOf(store)).isEqualTo(before);
    assertThat(store.lastAppliedIndex()).isEqualTo(3);
  }

  @Test
  void aCommitAtAnIndexNotAboveTheCurrentOneIsRefusedAndChangesNothing() {
    commit(store, 10, b -> b.putQueue("q", bytes("v10")));
    Map<String, String> before = contentOf(store);

    for (long index : new long[] {10, 9, 0, -1}) {
      try (StoreBatch batch = store.newBatch()) {
        batch.putQueue("q", bytes("late")).putMessage("q", 0, bytes("late"));
        assertThatThrownBy(() -> batch.commit(index)).isInstanceOf(IllegalStateException.class);
      }
    }

    assertThat(contentOf(store)).isEqualTo(before);
    assertThat(store.lastAppliedIndex()).isEqualTo(10);
  }

  @Test
  void aRefusedBatchCanStillCommitAtAHigherIndex() {
    commit(store, 4, b -> { });
    try (StoreBatch batch = store.newBatch()) {
      batch.putQueue("q", bytes("v"));
      assertThatThrownBy(() -> batch.commit(4)).isInstanceOf(IllegalStateException.class);
      batch.commit(5);
    }
    assertThat(store.queue("q")).isEqualTo(bytes("v"));
    assertThat(store.lastAppliedIndex()).isEqualTo(5);
  }

  @Test
  void anEmptyBatchRecordsOnlyItsIndex() {
    commit(store, 42, b -> { });

    assertThat(store.lastAppliedIndex()).isEqualTo(42);
    assertThat(contentOf(store)).isEmpty();
  }

  @Test
  void aBatchCannotBeUsedAfterItCommitsOrCloses() {
    StoreBatch committed = store.newBatch();
    committed.commit(1);
    assertThatThrownBy(() -> committed.putQueue("q", bytes("v"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> committed.commit(2)).isInstanceOf(IllegalStateException.class);
    committed.close();

    StoreBatch closed = store.newBatch();
    closed.close();
    closed.close();
    assertThatThrownBy(() -> closed.commit(2)).isInstanceOf(IllegalStateException.class);
    assertThat(store.lastAppliedIndex()).isEqualTo(1);
  }

  @Test
  void changesOfABatchApplyInTheOrderTheyWereAdded() {
    commit(store, 1, b -> b.putQueue("q", bytes("old")).putMessage("q", 1, bytes("old1")));

    commit(store, 2, b -> b
        .deleteQueue("q")
        .putQueue("q", bytes("new"))
        .putMessage("q", 2, bytes("new2"))
        .putMessage("q", 3, bytes("gone"))
        .deleteMessage("q", 3)
        .putUnacked("q", 2, bytes("first"))
        .putUnacked("q", 2, bytes("second")));

    assertThat(store.queue("q")).isEqualTo(bytes("new"));
    assertThat(offsets(store, "q", 0)).containsExactly(entry(2, "new2"));
    assertThat(unacked(store, "q")).containsExactly(entry(2, "second"));
  }

  @Test
  void scanMessagesVisitsFromTheOffsetUpwardsInOffsetOrderUntilTheVisitorStops() {
    long[] offsets = {0, 1, 255, 256, 65_536, 1L << 40, Long.MAX_VALUE};
    commit(store, 1, b -> {
      for (long offset : offsets) {
        b.putMessage("q", offset, bytes("m" + offset));
      }
      b.putMessage("q2", 100, bytes("other queue"));
    });

    assertThat(offsets(store, "q", 0)).extracting(Entry::offset)
        .containsExactly(0L, 1L, 255L, 256L, 65_536L, 1L << 40, Long.MAX_VALUE);
    assertThat(offsets(store, "q", 2)).extracting(Entry::offset)
        .containsExactly(255L, 256L, 65_536L, 1L << 40, Long.MAX_VALUE);
    assertThat(offsets(store, "q", -5)).hasSize(offsets.length);
    assertThat(offsets(store, "q", Long.MAX_VALUE)).containsExactly(entry(Long.MAX_VALUE, "m" + Long.MAX_VALUE));

    List<Long> firstTwo = new ArrayList<>();
    store.scanMessages("q", 1, (offset, value) -> {
      firstTwo.add(offset);
      return firstTwo.size() < 2;
    });
    assertThat(firstTwo).containsExactly(1L, 255L);
  }

  @Test
  void scanUnackedVisitsOnlyThatQueuesMarksInOffsetOrder() {
    commit(store, 1, b -> b
        .putUnacked("q", 300, bytes("u300"))
        .putUnacked("q", 2, bytes("u2"))
        .putMessage("q", 2, bytes("m2"))
        .putUnacked("q2", 1, bytes("other")));

    assertThat(unacked(store, "q")).containsExactly(entry(2, "u2"), entry(300, "u300"));
    assertThat(unacked(store, "none")).isEmpty();
  }

  @Test
  void forEachQueueVisitsEveryQueueShorterNamesFirstUntilTheVisitorStops() {
    commit(store, 1, b -> {
      for (String name : TRICKY_NAMES) {
        b.putQueue(name, bytes("record of " + name));
        b.putMessage(name, 1, bytes("message"));
      }
    });

    Map<String, String> queues = new LinkedHashMap<>();
    store.forEachQueue((name, record) -> {
      queues.put(name, new String(record, UTF_8));
      return true;
    });
    List<String> expectedOrder = new ArrayList<>(TRICKY_NAMES);
    expectedOrder.sort((x, y) -> Keys.compare(Keys.queue(x), Keys.queue(y)));
    assertThat(queues.keySet()).containsExactlyElementsOf(expectedOrder);
    assertThat(queues).containsEntry("a\u0000b", "record of a\u0000b");
    assertThat(expectedOrder.get(0)).isEmpty();

    List<String> first = new ArrayList<>();
    store.forEachQueue((name, record) -> {
      first.add(name);
      return false;
    });
    assertThat(first).hasSize(1);
  }

  @Test
  void deleteQueueRemovesThatQueuesKeysAndNoOther() {
    for (String victim : TRICKY_NAMES) {
      QueueStore s = freshStoreWithEveryTrickyQueue();
      Map<String, String> expected = contentOf(s);
      expected.keySet().removeIf(key -> key.contains("[" + victim + "]"));

      commit(s, 2, b -> b.deleteQueue(victim));

      assertThat(contentOf(s)).as("after deleting %s", printable(victim)).isEqualTo(expected);
      assertThat(s.queue(victim)).isNull();
      assertThat(offsets(s, victim, 0)).isEmpty();
      assertThat(unacked(s, victim)).isEmpty();
      s.close();
    }
  }

  @Test
  void producerSequencesAreReadBackAndGoWithTheirQueue() {
    commit(store, 1, b -> b.putProducerSequence("q", "p", 5, bytes("five"))
        .putProducerSequence("q", "p\u0000", 5, bytes("other producer"))
        .putProducerSequence("qq", "p", 5, bytes("other queue")));
    assertThat(new String(store.producerSequence("q", "p", 5), UTF_8)).isEqualTo("five");
    assertThat(store.producerSequence("q", "p", 6)).isNull();

    commit(store, 2, b -> b.deleteProducerSequence("q", "p\u0000", 5).deleteQueue("qq"));
    assertThat(store.producerSequence("q", "p\u0000", 5)).isNull();
    assertThat(store.producerSequence("qq", "p", 5)).isNull();
    assertThat(store.producerSequence("q", "p", 5)).isNotNull();
  }

  @Test
  void highestProducerSequenceIsTheLastInUnsignedOrderOfThatProducerAlone() {
    assertThat(store.highestProducerSequence("q", "p")).isNull();
    commit(store, 1, b -> b.putProducerSequence("q", "p", 7, bytes("7"))
        .putProducerSequence("q", "p", 300, bytes("300"))
        .putProducerSequence("q", "p\u0000", 900, bytes("longer producer id"))
        .putProducerSequence("q", "pp", 901, bytes("other producer"))
        .putProducerSequence("qq", "p", 902, bytes("other queue")));
    assertThat(store.highestProducerSequence("q", "p")).isEqualTo(300L);
    assertThat(store.highestProducerSequence("q", "")).isNull();
    assertThat(store.highestProducerSequence("q\u0000", "p")).isNull();

    commit(store, 2, b -> b.putProducerSequence("q", "p", -2, bytes("-2")));
    assertThat(store.highestProducerSequence("q", "p")).isEqualTo(-2L); // above 300 as unsigned

    commit(store, 3, b -> b.deleteProducerSequence("q", "p", -2).deleteProducerSequence("q", "p", 300));
    assertThat(store.highestProducerSequence("q", "p")).isEqualTo(7L);
    commit(store, 4, b -> b.deleteQueue("q"));
    assertThat(store.highestProducerSequence("q", "p")).isNull();
    assertThat(store.highestProducerSequence("qq", "p")).isEqualTo(902L);
  }

  @Test
  void scanProducerSequencesVisitsOnlyThatQueuesSequencesInKeyOrderUntilTheVisitorStops() {
    commit(store, 1, b -> b.putProducerSequence("q", "pp", 1, bytes("pp1"))
        .putProducerSequence("q", "p", -1, bytes("p-1"))
        .putProducerSequence("q", "p", 256, bytes("p256"))
        .putProducerSequence("q", "p\u0000", 2, bytes("p0-2"))
        .putProducerSequence("q", "", 9, bytes("none9"))
        .putProducerSequence("q", "\u00e9", 3, bytes("e3"))
        .putProducerSequence("qq", "p", 5, bytes("other queue"))
        .putProducerSequence("q\u0000", "p", 6, bytes("other queue"))
        .putMessage("q", 1, bytes("m1"))
        .putQueue("q", bytes("r")));

    List<String> seen = new ArrayList<>();
    store.scanProducerSequences("q", (producer, sequence, value) ->
        seen.add(printable(producer) + "/" + sequence + "=" + new String(value, UTF_8)));
    // Shorter producer ids first, then bytes; sequences as unsigned bytes, so -1 is last.
    assertThat(seen).containsExactly("/9=none9", "p/256=p256", "p/-1=p-1", "p\\0/2=p0-2",
        "pp/1=pp1", "\u00e9/3=e3");

    List<String> firstTwo = new ArrayList<>();
    store.scanProducerSequences("q", (producer, sequence, value) -> {
      firstTwo.add(producer + "/" + sequence);
      return firstTwo.size() < 2;
    });
    assertThat(firstTwo).containsExactly("/9", "p/256");

    seen.clear();
    store.scanProducerSequences("none", (producer, sequence, value) -> seen.add(producer));
    assertThat(seen).isEmpty();

    commit(store, 2, b -> b.deleteQueue("q"));
    store.scanProducerSequences("q", (producer, sequence, value) -> seen.add(producer));
    assertThat(seen).isEmpty();
  }

  @Test
  void sequenceExpiriesAreScannedInIndexOrderFromTheGivenIndex() throws IOException {
    commit(store, 1, b -> b.putSequenceExpiry(300, bytes("c")).putSequenceExpiry(2, bytes("a"))
        .putSequenceExpiry(256, bytes("b")).putQueue("q", bytes("r")));
    List<Long> seen = new ArrayList<>();
    store.scanSequenceExpiries(3, (index, value) -> seen.add(index));
    assertThat(seen).containsExactly(256L, 300L);

    commit(store, 2, b -> b.deleteSequenceExpiry(256));
    seen.clear();
    store.scanSequenceExpiries(0, (index, value) -> seen.add(index));
    assertThat(seen).containsExactly(2L, 300L);

    QueueStore target = open(dir.resolve("expiry-target"));
    target.importFrom(new ByteArrayInputStream(exportOf(store)));
    assertThat(exportOf(target)).isEqualTo(exportOf(store));
  }

  @Test
  void aScanSeesTheStoreAsItWasWhenTheScanBegan() {
    commit(store, 1, b -> b.putMessage("q", 1, bytes("m1")).putMessage("q", 2, bytes("m2")));

    List<Entry> seen = new ArrayList<>();
    store.scanMessages("q", 0, (offset, value) -> {
      if (seen.isEmpty()) {
        commit(store, 2, b -> b.deleteMessage("q", 2).putMessage("q", 3, bytes("m3")));
      }
      seen.add(new Entry(offset, new String(value, UTF_8)));
      return true;
    });

    assertThat(seen).containsExactly(entry(1, "m1"), entry(2, "m2"));
    assertThat(offsets(store, "q", 0)).containsExactly(entry(1, "m1"), entry(3, "m3"));
  }

  @Test
  void changingAReturnedValueDoesNotChangeTheStore() {
    byte[] written = bytes("value");
    commit(store, 1, b -> b.putMessage("q", 1, written).putQueue("q", bytes("record")));
    written[0] = 'X';

    store.message("q", 1)[0] = 'Y';
    store.queue("q")[0] = 'Y';
    store.scanMessages("q", 0, (offset, value) -> {
      value[0] = 'Z';
      return true;
    });

    assertThat(store.message("q", 1)).isEqualTo(bytes("value"));
    assertThat(store.queue("q")).isEqualTo(bytes("record"));
  }

  @Test
  void namesThatTheKeyLayoutCannotHoldAreRefused() {
    try (StoreBatch batch = store.newBatch()) {
      assertThatThrownBy(() -> batch.putQueue("bad\ud800", bytes("v")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> batch.putQueue("x".repeat(Keys.MAX_NAME_BYTES + 1), bytes("v")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> batch.putMessage("q", -1, bytes("v")))
          .isInstanceOf(IllegalArgumentException.class);
      batch.putQueue("x".repeat(Keys.MAX_NAME_BYTES), bytes("longest"));
      batch.commit(1);
    }
    assertThat(store.queue("x".repeat(Keys.MAX_NAME_BYTES))).isEqualTo(bytes("longest"));
    assertThat(contentOf(store)).hasSize(1);
  }

  @Test
  void anExportStartsWithTheMagic() {
    byte[] export = exportOf(store);
    assertThat(Arrays.copyOf(export, 7)).isEqualTo("QRSNAP1".getBytes(UTF_8));
  }

  @Test
  void exportThenImportIntoAnotherStoreGivesIdenticalContent() throws IOException {
    QueueStore source = freshStoreWithEveryTrickyQueue();
    commit(source, 17, b -> b.deleteMessage("a", 2));
    QueueStore target = open(dir.resolve("target"));
    commit(target, 99, b -> b.putQueue("only in target", bytes("x")).putMessage("zz", 1, bytes("y")));

    target.importFrom(new ByteArrayInputStream(exportOf(source)));

    assertThat(target.lastAppliedIndex()).isEqualTo(17);
    assertThat(contentOf(target)).isEqualTo(contentOf(source));
    assertThat(exportOf(target)).isEqualTo(exportOf(source));
    assertThat(target.queue("only in target")).isNull();
  }

  @Test
  void anExportOfAnEmptyStoreEmptiesTheTarget() throws IOException {
    QueueStore target = freshStoreWithEveryTrickyQueue();

    target.importFrom(new ByteArrayInputStream(exportOf(store)));

    assertThat(contentOf(target)).isEmpty();
    assertThat(target.lastAppliedIndex()).isZero();
  }

  @Test
  void aStoreCommitsOnFromTheIndexOfAnImport() throws IOException {
    QueueStore source = freshStoreWithEveryTrickyQueue();
    store.importFrom(new ByteArrayInputStream(exportOf(source)));

    assertThatThrownBy(() -> commit(store, 1, b -> { })).isInstanceOf(IllegalStateException.class);
    commit(store, 2, b -> b.putMessage("a", 9, bytes("m9")));
    assertThat(store.message("a", 9)).isEqualTo(bytes("m9"));
  }

  @Test
  void everyTruncationOfAnExportIsRefusedAndLeavesTheTargetUnchanged() {
    byte[] export = exportOf(smallSource());
    commit(store, 5, b -> b.putQueue("target", bytes("t")).putMessage("target", 1, bytes("m")));
    Map<String, String> before = contentOf(store);

    for (int length = 0; length < export.length; length++) {
      byte[] torn = Arrays.copyOf(export, length);
      assertThatThrownBy(() -> store.importFrom(new ByteArrayInputStream(torn)))
          .as("export cut to %d of %d bytes", length, export.length)
          .isInstanceOf(IOException.class);
    }

    assertThat(contentOf(store)).isEqualTo(before);
    assertThat(store.lastAppliedIndex()).isEqualTo(5);
  }

  @Test
  void everySingleBitFlipOfAnExportIsRefusedAndLeavesTheTargetUnchanged() {
    byte[] export = exportOf(smallSource());
    commit(store, 5, b -> b.putQueue("target", bytes("t")));
    Map<String, String> before = contentOf(store);

    for (int bit = 0; bit < export.length * 8; bit++) {
      byte[] flipped = export.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      int at = bit;
      assertThatThrownBy(() -> store.importFrom(new ByteArrayInputStream(flipped)))
          .as("bit %d flipped", at)
          .isInstanceOf(IOException.class);
    }

    assertThat(contentOf(store)).isEqualTo(before);
    assertThat(store.lastAppliedIndex()).isEqualTo(5);
  }

  @Test
  void anExportWithRecordsOutOfOrderIsRefusedEvenWithAGoodChecksum() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // Bypass the writer's own checks to forge a well-checksummed, badly ordered export.
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    java.io.DataOutputStream data =
        new java.io.DataOutputStream(new java.util.zip.CheckedOutputStream(out, crc));
    data.write(SnapshotCodec.MAGIC);
    data.writeLong(3);
    for (byte[] key : List.of(Keys.queue("b"), Keys.queue("a"))) {
      data.writeByte('R');
      data.writeInt(key.length);
      data.write(key);
      data.writeInt(1);
      data.write('v');
    }
    data.writeByte('E');
    data.writeLong(2);
    data.writeInt((int) crc.getValue());
    data.flush();

    assertThatThrownBy(() -> store.importFrom(new ByteArrayInputStream(out.toByteArray())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("order");
    assertThat(contentOf(store)).isEmpty();
  }

  @Test
  void aClosedStoreRefusesUse() {
    store.close();
    store.close();

    assertThatThrownBy(() -> store.queue("q")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.newBatch()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.scanMessages("q", 0, (o, v) -> true))
        .isInstanceOf(IllegalStateException.class);
  }

  // ---------------------------------------------------------------- helpers

  QueueStore freshStoreWithEveryTrickyQueue() {
    QueueStore s;
    try {
      s = open(dir.resolve("tricky-" + opened.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    commit(s, 1, b -> {
      for (String name : TRICKY_NAMES) {
        b.putQueue(name, bytes("record"));
        for (long offset : new long[] {0, 1, 2, 255, 256}) {
          b.putMessage(name, offset, bytes("m" + offset));
        }
        b.putUnacked(name, 1, bytes("u1"));
        b.putUnacked(name, 256, bytes("u256"));
        b.putProducerSequence(name, "p", 7, bytes("s7"));
        b.putProducerSequence(name, name, -1, bytes("s-1"));
      }
    });
    return s;
  }

  private QueueStore smallSource() {
    QueueStore s;
    try {
      s = open(dir.resolve("small"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    commit(s, 8, b -> b
        .putQueue("q", bytes("rec"))
        .putMessage("q", 1, bytes("hello"))
        .putUnacked("q", 1, bytes("u")));
    return s;
  }

  interface BatchBody {
    void fill(StoreBatch batch);
  }

  static void commit(QueueStore store, long index, BatchBody body) {
    try (StoreBatch batch = store.newBatch()) {
      body.fill(batch);
      batch.commit(index);
    }
  }

  static byte[] exportOf(QueueStore store) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      store.exportTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Every record of the store, described readably, in key order. */
  static Map<String, String> contentOf(QueueStore store) {
    Map<String, String> content = new LinkedHashMap<>();
    try {
      SnapshotCodec.read(new ByteArrayInputStream(exportOf(store)),
          (key, value) -> content.put(describe(key), new String(value, UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return content;
  }

  /** A key as "TAG[name]" or "TAG[name]#offset". */
  static String describe(byte[] key) {
    int nameLength = ((key[1] & 0xFF) << 8) | (key[2] & 0xFF);
    String name = new String(key, 3, nameLength, UTF_8);
    String described = (char) key[0] + "[" + name + "]";
    return key.length > 3 + nameLength ? described + "#" + Keys.offset(key) : described;
  }

  static List<Entry> offsets(QueueStore store, String queue, long from) {
    List<Entry> entries = new ArrayList<>();
    store.scanMessages(queue, from, (offset, value) -> entries.add(new Entry(offset, new String(value, UTF_8))));
    return entries;
  }

  static List<Entry> unacked(QueueStore store, String queue) {
    List<Entry> entries = new ArrayList<>();
    store.scanUnacked(queue, (offset, value) -> entries.add(new Entry(offset, new String(value, UTF_8))));
    return entries;
  }

  static Entry entry(long offset, String value) {
    return new Entry(offset, value);
  }

  record Entry(long offset, String value) {}

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  static String printable(String name) {
    return name.replace("\u0000", "\\0");
  }
}
