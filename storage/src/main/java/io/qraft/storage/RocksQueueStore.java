package io.qraft.storage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link QueueStore} in one RocksDB database of its own: one directory, one
 * database, one Raft group. Keys are laid out by {@link Keys}; exports use
 * the format of {@link SnapshotCodec}.
 *
 * <p>Durability: the write-ahead log is on, but commits do not fsync it. The
 * Raft log is the durable record of every applied entry; the store is a
 * cache of its effect. A process crash loses nothing (the WAL is in the OS
 * already); a machine crash may lose a tail of commits. Because the WAL is
 * replayed in order and stops at the first torn record, what survives is
 * always a prefix of the commits, so the store reopens at the exact state of
 * some earlier applied index, and Raft replays the entries after it. That
 * holds only while the Raft log still has those entries: before letting Raft
 * purge its log up to {@link #lastAppliedIndex()} on the strength of this
 * store alone, call {@link #syncWal()}. Imports, which replace the state
 * wholesale and usually come with a reset Raft log, are fsynced, and so is
 * the WAL on {@link #close()}.
 *
 * <p>Import: {@link #importFrom} first copies the export to a temporary file
 * beside the store directory, verifying it as it goes; only a verified
 * export is then loaded, in one write batch that deletes every key and
 * writes the records and the applied index. A torn or corrupt export leaves
 * the store untouched. The batch holds the whole export in native memory.
 *
 * <p>Thread-safety: any number of threads may read, write and export at
 * once; commits and imports are serialized. A scan sees one consistent view
 * (its iterator pins one). Visitors run while the store is kept open, so a
 * visitor must not close the store. Use after close throws
 * IllegalStateException.
 */
public final class RocksQueueStore implements QueueStore {

  private static final Logger LOG = LoggerFactory.getLogger(RocksQueueStore.class);

  private static final String IMPORT_INFIX = ".import-";
  private static final String IMPORT_SUFFIX = ".tmp";

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final LRUCache blockCache;
  private final Options options;
  private final WriteOptions writeOptions;
  private final WriteOptions syncWriteOptions;
  private final RocksDB db;

  // Readers and writers hold the read side; close takes the write side, so
  // the native handles are never freed under a running call.
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle

  // Serializes commits and imports, so the index check and the write are one step.
  private final Object writeLock = new Object();
  private volatile long lastAppliedIndex;

  private RocksQueueStore(Path dir, LRUCache blockCache, Options options, RocksDB db, long lastAppliedIndex) {
    this.dir = dir;
    this.blockCache = blockCache;
    this.options = options;
    this.db = db;
    this.lastAppliedIndex = lastAppliedIndex;
    // The Raft log makes commits durable; see the class comment.
    this.writeOptions = new WriteOptions().setSync(false);
    this.syncWriteOptions = new WriteOptions().setSync(true);
  }

  /** Opens the store in dir, creating it if needed, with {@link StoreOptions#DEFAULTS}. */
  public static RocksQueueStore open(Path dir) throws IOException {
    return open(dir, StoreOptions.DEFAULTS);
  }

  /** Opens the store in dir, creating it if needed. */
  public static RocksQueueStore open(Path dir, StoreOptions storeOptions) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (absolute.getParent() == null) {
      throw new IllegalArgumentException("a store directory needs a parent for its import files: " + dir);
    }
    Files.createDirectories(absolute);

    LRUCache cache = new LRUCache(storeOptions.blockCacheBytes());
    Options options = new Options()
        .setCreateIfMissing(true)
        .setWriteBufferSize(storeOptions.writeBufferBytes())
        .setMaxWriteBufferNumber(storeOptions.maxWriteBuffers())
        .setMaxBackgroundJobs(storeOptions.maxBackgroundJobs())
        // Stop replay at the first torn record: a prefix of the commits is a
        // state of some applied index; skipping a record would not be.
        .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
        // Many stores per node: keep their info logs short.
        .setMaxLogFileSize(1024 * 1024)
        .setKeepLogFileNum(2)
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
    RocksDB db = null;
    try {
      db = RocksDB.open(options, absolute.toString());
      byte[] applied = db.get(Keys.applied());
      long index = applied == null ? 0 : Keys.decodeIndex(applied);
      // Only now, holding the database's lock, is no other process importing here.
      removeStaleImports(absolute);
      LOG.debug("opened store {} at applied index {}", absolute, index);
      return new RocksQueueStore(absolute, cache, options, db, index);
    } catch (RocksDBException | IOException | RuntimeException e) {
      if (db != null) {
        db.close();
      }
      options.close();
      cache.close();
      throw new IOException("cannot open the store in " + absolute, e);
    }
  }

  @Override
  public long lastAppliedIndex() {
    return lastAppliedIndex;
  }

  @Override
  public byte[] queue(String queue) {
    return get(Keys.queue(queue));
  }

  @Override
  public void forEachQueue(RecordVisitor<String> visitor) {
    byte[] prefix = Keys.queuePrefix();
    scan(prefix, Keys.prefixEnd(prefix), (key, value) -> visitor.visit(Keys.queueName(key), value));
  }

  @Override
  public byte[] message(String queue, long offset) {
    return get(Keys.message(queue, offset));
  }

  @Override
  public void scanMessages(String queue, long fromOffset, OffsetVisitor visitor) {
    // No offset is negative, so a negative start means the whole queue.
    byte[] from = Keys.message(queue, Math.max(0, fromOffset));
    byte[] end = Keys.prefixEnd(Keys.messagePrefix(queue));
    scan(from, end, (key, value) -> visitor.visit(Keys.offset(key), value));
  }

  @Override
  public void scanUnacked(String queue, OffsetVisitor visitor) {
    byte[] prefix = Keys.unackedPrefix(queue);
    scan(prefix, Keys.prefixEnd(prefix), (key, value) -> visitor.visit(Keys.offset(key), value));
  }

  @Override
  public byte[] producerSequence(String queue, String producerId, long sequence) {
    return get(Keys.producerSequence(queue, producerId, sequence));
  }

  @Override
  public Long highestProducerSequence(String queue, String producerId) {
    byte[] prefix = Keys.producerSequencePrefix(queue, producerId);
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      try (Slice lower = new Slice(prefix);
          Slice upper = new Slice(Keys.prefixEnd(prefix));
          ReadOptions readOptions = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
          RocksIterator it = db.newIterator(readOptions)) {
        it.seekToLast();
        if (it.isValid()) {
          return Keys.sequence(it.key());
        }
        it.status();
        return null;
      }
    } catch (RocksDBException e) {
      throw new StoreException("cannot read " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void scanProducerSequences(String queue, SequenceVisitor visitor) {
    byte[] prefix = Keys.producerPrefix(queue);
    scan(prefix, Keys.prefixEnd(prefix),
        (key, value) -> visitor.visit(Keys.producerId(key), Keys.sequence(key), value));
  }

  @Override
  public void scanSequenceExpiries(long fromIndex, OffsetVisitor visitor) {
    byte[] from = Keys.sequenceExpiry(Math.max(0, fromIndex));
    scan(from, Keys.prefixEnd(Keys.expiryPrefix()), (key, value) -> visitor.visit(Keys.expiryIndex(key), value));
  }

  @Override
  public StoreBatch newBatch() {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return new RocksStoreBatch(this);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Writes a consistent export, read from one RocksDB snapshot; commits go on meanwhile. */
  @Override
  public void exportTo(OutputStream out) throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      Snapshot snapshot = db.getSnapshot();
      try (ReadOptions readOptions = new ReadOptions().setSnapshot(snapshot);
          RocksIterator it = db.newIterator(readOptions)) {
        byte[] applied = db.get(readOptions, Keys.applied());
        SnapshotCodec.Writer writer =
            new SnapshotCodec.Writer(out, applied == null ? 0 : Keys.decodeIndex(applied));
        for (it.seekToFirst(); it.isValid(); it.next()) {
          byte[] key = it.key();
          if (key.length == 1 && key[0] == Keys.APPLIED_TAG) {
            continue; // travels in the header
          }
          writer.record(key, it.value());
        }
        it.status();
        writer.finish();
      } catch (RocksDBException e) {
        throw new IOException("cannot read the store in " + dir, e);
      } finally {
        db.releaseSnapshot(snapshot);
        snapshot.close();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Replaces the content with a verified export; see the class comment.
   * Reads in through the end of the export, possibly further.
   */
  @Override
  public void importFrom(InputStream in) throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen(); // before copying a whole export for nothing
    } finally {
      lifecycle.readLock().unlock();
    }
    Path parent = dir.getParent();
    Path staged = Files.createTempFile(parent, dir.getFileName() + IMPORT_INFIX, IMPORT_SUFFIX);
    try {
      stage(in, staged);
      load(staged);
    } finally {
      Files.deleteIfExists(staged);
    }
  }

  /**
   * Makes every commit so far durable: fsyncs the write-ahead log. Call it
   * before letting Raft forget the log entries up to {@link #lastAppliedIndex()}.
   */
  public void syncWal() throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      db.syncWal();
    } catch (RocksDBException e) {
      throw new IOException("cannot sync the write-ahead log of " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The directory of this store. */
  public Path directory() {
    return dir;
  }

  /**
   * Syncs the write-ahead log and frees the database. Idempotent. Must not
   * be called from inside a visitor of this store.
   */
  @Override
  public void close() {
    if (lifecycle.getReadHoldCount() > 0) {
      throw new IllegalStateException("cannot close the store from inside one of its own reads");
    }
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        db.syncWal();
      } catch (RocksDBException e) {
        LOG.warn("cannot sync the write-ahead log of {} on close", dir, e);
      }
      db.close();
      writeOptions.close();
      syncWriteOptions.close();
      options.close();
      blockCache.close();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Called by a batch: writes it with the applied index, or refuses. */
  void commit(WriteBatch batch, long appliedIndex) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      synchronized (writeLock) {
        long current = lastAppliedIndex;
        if (appliedIndex <= current) {
          throw new IllegalStateException(
              "applied index " + appliedIndex + " is not above the store's " + current);
        }
        batch.put(Keys.applied(), Keys.encodeIndex(appliedIndex));
        db.write(writeOptions, batch);
        lastAppliedIndex = appliedIndex;
      }
    } catch (RocksDBException e) {
      throw new StoreException("cannot commit index " + appliedIndex + " to " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private byte[] get(byte[] key) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return db.get(key);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @FunctionalInterface
  private interface KeyVisitor {
    boolean visit(byte[] key, byte[] value);
  }

  /** Visits keys in [from, end) in order until the visitor returns false. */
  private void scan(byte[] from, byte[] end, KeyVisitor visitor) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      // Declaration order matters: the iterator closes before its options, the options before the bound.
      try (Slice upper = new Slice(end);
          ReadOptions readOptions = new ReadOptions().setIterateUpperBound(upper);
          RocksIterator it = db.newIterator(readOptions)) {
        for (it.seek(from); it.isValid(); it.next()) {
          if (!visitor.visit(it.key(), it.value())) {
            return;
          }
        }
        it.status();
      }
    } catch (RocksDBException e) {
      throw new StoreException("cannot scan " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Copies the export to staged, verifying it on the way; nothing of the store is touched. */
  private static void stage(InputStream in, Path staged) throws IOException {
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(staged), 64 * 1024)) {
      SnapshotCodec.read(new Tee(new BufferedInputStream(in, 64 * 1024), file), (key, value) -> { });
    }
  }

  /** Replaces the content with the staged export, in one fsynced batch. */
  private void load(Path staged) throws IOException {
    lifecycle.readLock().lock();
    try (InputStream file = new BufferedInputStream(Files.newInputStream(staged), 64 * 1024);
        WriteBatch batch = new WriteBatch()) {
      ensureOpen();
      synchronized (writeLock) {
        batch.deleteRange(Keys.ALL_FIRST, Keys.ALL_END);
        // Read again through the codec, so a file damaged since staging is still refused.
        long index = SnapshotCodec.read(file, (key, value) -> {
          try {
            batch.put(key, value);
          } catch (RocksDBException e) {
            throw new IOException("cannot stage a record", e);
          }
        });
        batch.put(Keys.applied(), Keys.encodeIndex(index));
        db.write(syncWriteOptions, batch);
        lastAppliedIndex = index;
        LOG.info("imported an export at applied index {} into {}", index, dir);
      }
    } catch (RocksDBException e) {
      throw new IOException("cannot write the import into " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Import files left by a crash in the middle of an import. */
  private static void removeStaleImports(Path dir) throws IOException {
    String prefix = dir.getFileName() + IMPORT_INFIX;
    try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir.getParent())) {
      for (Path file : siblings) {
        String name = file.getFileName().toString();
        if (name.startsWith(prefix) && name.endsWith(IMPORT_SUFFIX) && Files.isRegularFile(file)) {
          LOG.info("removing an unfinished import {}", file);
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("store " + dir + " is closed");
    }
  }

  /** Passes reads through and copies every byte read to a sink. */
  private static final class Tee extends FilterInputStream {
    private final OutputStream sink;

    Tee(InputStream in, OutputStream sink) {
      super(in);
      this.sink = sink;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        sink.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        sink.write(buffer, offset, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      throw new IOException("skip is not supported");
    }
  }
}
