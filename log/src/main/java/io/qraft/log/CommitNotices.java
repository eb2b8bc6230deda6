package io.qraft.log;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Writes a {@code CommitNotice} after metadata changes commit, at most one at a time.
 *
 * <p>Ratis sends a follower the leader's commit index with the next entry or heartbeat; an
 * entry committed after it was sent reaches the followers' state machines only with the
 * next heartbeat (half the minimum election timeout later). Meanwhile a node whose replica
 * has not applied a just-declared queue asks the metadata leader about it on every call,
 * which ties the queue's data path to the metadata group's majority. A notice appended
 * after the change committed carries that commit to every replica at once. Changes that
 * commit while a notice is out get one more notice after it, since the one out may have
 * been sent before they committed.
 *
 * <p>Thread-safe.
 */
final class CommitNotices {
  private final Supplier<CompletableFuture<?>> writeNotice;
  private boolean outstanding;
  private boolean again;

  CommitNotices(Supplier<CompletableFuture<?>> writeNotice) {
    this.writeNotice = writeNotice;
  }

  /** A metadata change (not a notice) was committed. */
  void committed() {
    synchronized (this) {
      if (outstanding) {
        again = true;
        return;
      }
      outstanding = true;
    }
    write();
  }

  private void write() {
    CompletableFuture<?> written;
    try {
      written = writeNotice.get();
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    written.whenComplete((r, e) -> {
      boolean next;
      synchronized (this) {
        // A failed notice (no leader now) is not retried: the next change writes one.
        next = e == null && again;
        again = false;
        outstanding = next;
      }
      if (next) {
        write();
      }
    });
  }
}
