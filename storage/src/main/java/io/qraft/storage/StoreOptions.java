package io.qraft.storage;

/**
 * The tuning knobs of a {@link RocksQueueStore}. The defaults are small on
 * purpose: a node opens one store per Raft group it carries, and every
 * store pays for its own memtables and block cache.
 *
 * @param writeBufferBytes size of one memtable
 * @param maxWriteBuffers memtables kept in memory before writes stall; at least 2
 *     so that one can flush while the other fills
 * @param maxBackgroundJobs threads for flushes and compactions of this store
 * @param blockCacheBytes the store's cache of uncompressed data blocks
 */
public record StoreOptions(
    long writeBufferBytes, int maxWriteBuffers, int maxBackgroundJobs, long blockCacheBytes) {

  private static final long MIB = 1024 * 1024;

  /** 8 MiB memtables, two of them, two background jobs, an 8 MiB block cache. */
  public static final StoreOptions DEFAULTS = new StoreOptions(8 * MIB, 2, 2, 8 * MIB);

  public StoreOptions {
    if (writeBufferBytes < MIB) {
      throw new IllegalArgumentException("writeBufferBytes below 1 MiB: " + writeBufferBytes);
    }
    if (maxWriteBuffers < 2) {
      throw new IllegalArgumentException("maxWriteBuffers below 2: " + maxWriteBuffers);
    }
    if (maxBackgroundJobs < 1) {
      throw new IllegalArgumentException("maxBackgroundJobs below 1: " + maxBackgroundJobs);
    }
    if (blockCacheBytes < 0) {
      throw new IllegalArgumentException("negative blockCacheBytes: " + blockCacheBytes);
    }
  }
}
