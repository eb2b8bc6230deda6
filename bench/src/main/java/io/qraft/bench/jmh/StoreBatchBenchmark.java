package io.qraft.bench.jmh;

import io.qraft.storage.RocksQueueStore;
import io.qraft.storage.StoreBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/** One RocksDB write batch per log entry, as the state machine writes it for an Enqueue. */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-Dlogback.configurationFile=logback-bench.xml"})
public class StoreBatchBenchmark extends MicroBenchmark {
  @Param({"1", "16", "128"})
  public int messages;

  @Param({"100", "1000"})
  public int size;

  private Path dir;
  private RocksQueueStore store;
  private byte[] value;
  private byte[] record;
  private long index;
  private long offset;

  @Setup(Level.Iteration)
  public void open() throws IOException {
    dir = TempDirs.create("qraft-jmh-rocks");
    store = RocksQueueStore.open(dir.resolve("db"));
    value = Commands.body(size + 20);
    record = Commands.body(60);
    index = 0;
    offset = 0;
  }

  @TearDown(Level.Iteration)
  public void close() {
    store.close();
    TempDirs.delete(dir);
  }

  /** messages puts + the queue record + the applied index, committed atomically. */
  @Benchmark
  public long writeBatch() {
    try (StoreBatch batch = store.newBatch()) {
      for (int i = 0; i < messages; i++) {
        batch.putMessage("q", offset++, value);
      }
      batch.putQueue("q", record);
      batch.commit(++index);
    }
    return index;
  }
}
