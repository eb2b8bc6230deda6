package io.qraft.statemachine;

import io.qraft.api.v1.Delivery;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The events of the entry being applied, held until its batch is durable: a listener told
 * before that could read a message the store does not hold yet. Also records which queues
 * may now have work for a consumer ({@link #dirty}), so that {@link Checkout} looks only at
 * those.
 *
 * <p>Not thread-safe: owned by the apply loop.
 */
final class PendingEvents implements ShardEvents {
  private final ShardEvents target;
  private final List<Runnable> calls = new ArrayList<>();
  /** Sorted: checkout visits queues in the same order on every replica. */
  private final Set<String> dirty = new TreeSet<>();
  private boolean consumersChanged;
  private boolean deadChanged;
  private final Set<String> deadAnnounced = new java.util.HashSet<>();

  PendingEvents(ShardEvents target) {
    this.target = target;
  }

  @Override
  public void messagesReady(String queue) {
    dirty.add(queue);
    calls.add(() -> target.messagesReady(queue));
  }

  @Override
  public void deliveriesSettled(String queue, String consumerId, int count) {
    dirty.add(queue);
    calls.add(() -> target.deliveriesSettled(queue, consumerId, count));
  }

  @Override
  public void queueDeleted(String queue) {
    consumersChanged = true;
    calls.add(() -> target.queueDeleted(queue));
  }

  @Override
  public void delivered(String consumerId, Delivery delivery) {
    calls.add(() -> target.delivered(consumerId, delivery));
  }

  @Override
  public void deadLettered(String queue) {
    deadChanged = true;
    // Once per entry and queue: the listener only needs to know there is work.
    if (deadAnnounced.add(queue)) {
      calls.add(() -> target.deadLettered(queue));
    }
  }

  @Override
  public void consumerTimedOut(String queue, String consumerId) {
    consumersChanged = true;
    calls.add(() -> target.consumerTimedOut(queue, consumerId));
  }

  /** Whether the entry dead-lettered a message or finished moving some; cleared by the call. */
  boolean takeDeadChanged() {
    boolean changed = deadChanged;
    deadChanged = false;
    return changed;
  }

  void deadDone() {
    deadChanged = true;
  }

  /** An entry attached or detached a consumer. */
  void consumersChanged() {
    consumersChanged = true;
  }

  /** A queue whose consumers gained credit or whose ready messages grew. */
  void markDirty(String queue) {
    dirty.add(queue);
  }

  /** The queues marked so far by this entry, without emptying the set. */
  Set<String> dirtySoFar() {
    return java.util.Collections.unmodifiableSet(dirty);
  }

  /** The queues marked since the last call, in name order; the set is emptied. */
  List<String> takeDirty() {
    List<String> out = new ArrayList<>(dirty);
    dirty.clear();
    return out;
  }

  /** Whether the entry attached or detached a consumer; cleared by the call. */
  boolean takeConsumersChanged() {
    boolean changed = consumersChanged;
    consumersChanged = false;
    return changed;
  }

  /** Tells the listener everything, in order. */
  void flush() {
    deadAnnounced.clear();
    List<Runnable> now = new ArrayList<>(calls);
    calls.clear();
    for (Runnable call : now) {
      call.run();
    }
  }

  /** Forgets everything: the entry was refused. */
  void discard() {
    calls.clear();
    dirty.clear();
    consumersChanged = false;
    deadChanged = false;
    deadAnnounced.clear();
  }
}
