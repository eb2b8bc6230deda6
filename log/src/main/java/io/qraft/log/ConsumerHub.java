package io.qraft.log;

import io.qraft.api.log.v1.Deliver;
import io.qraft.api.log.v1.ReturnDeliveries;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.v1.Delivery;
import io.qraft.statemachine.RoleListener;
import io.qraft.statemachine.ShardEvents;
import io.qraft.statemachine.ShardStateMachine;
import io.qraft.statemachine.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumers attached to this node, which serve only queues whose group this node leads.
 *
 * <p>A consumer that acknowledges is attached to its queue in the log and the shard decides
 * its deliveries as entries apply ({@link AttachedConsumers}); there is no entry per delivery,
 * and it keeps what it holds across a leader change if it comes back with the same id.
 *
 * <p>An auto-ack consumer and a Get go through Deliver entries: the leader appends one, and
 * only once it is applied (the delivery recorded on a majority) is the message sent. Such a
 * consumer has at most prefetch deliveries outstanding and at most two Deliver commands in
 * flight.
 *
 * <p>Leadership: when this node stops leading a group its consumers are closed (the client
 * resubscribes at the new leader); a new leader first returns every outstanding delivery of
 * the group that no attached consumer holds (those wait for their consumer for the reattach
 * grace), and only then accepts consumers.
 *
 * <p>Thread-safety: all consumer state is confined to one dispatcher thread.
 */
public final class ConsumerHub implements RoleListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerHub.class);
  private static final long RETRY_MS = 200;
  /** Tries to return a gone consumer's deliveries before leaving it to the next leader change. */
  private static final int RETURN_ATTEMPTS = 30;
  /**
   * Deliver entries one consumer may have in the log at once. More than one keeps a consumer
   * fed while the previous Deliver is being replicated (a commit round is the unit of time).
   */
  private static final int DELIVERS_IN_FLIGHT = 2;

  /** Where deliveries go; called on the dispatcher thread only. */
  public interface Sink {
    void deliver(Delivery delivery);

    /** The consumer ends: the leader moved (LeaderElsewhereException), the queue went away, or the node stops. */
    void closed(RuntimeException reason);
  }

  /** Cancels a subscription; its outstanding deliveries return to the queue. */
  public interface Subscription {
    void cancel();
  }

  private final ReplicatedLog log;
  private final ScheduledExecutorService dispatcher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-dispatch");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, List<Consumer>> byQueue = new HashMap<>();
  private final Set<RaftGroupId> readyGroups = ConcurrentHashMap.newKeySet();
  private final Set<RaftGroupId> readying = ConcurrentHashMap.newKeySet();

  private final AttachedConsumers attached;
  /** Told when a shard dead-letters messages; set once the log has built it. */
  private volatile DeadLetterMover deadLetters = DeadLetterMover.NONE;

  void moveDeadLettersWith(DeadLetterMover mover) {
    this.deadLetters = mover;
  }

  ConsumerHub(ReplicatedLog log) {
    this.log = log;
    this.attached = new AttachedConsumers(log, dispatcher);
    dispatcher.scheduleWithFixedDelay(this::followMoves, PART_CHECK_MS, PART_CHECK_MS, TimeUnit.MILLISECONDS);
    dispatcher.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
  }

  /** How often the leader looks for attached consumers that did not come back. */
  private static final long SWEEP_MS = 1_000;

  private void sweep() {
    Set<RaftGroupId> led = new java.util.HashSet<>();
    for (RaftGroupId g : readyGroups) {
      if (log.isLeader(g)) {
        led.add(g);
      }
    }
    attached.sweep(led);
  }

  /** How often consumers are checked against the shard that now serves their queue. */
  private static final long PART_CHECK_MS = 500;

  /**
   * A consumer is served by one shard; once its queue's next messages are in another (an old
   * part was emptied and dropped, or the queue moved and left nothing behind) it is sent there.
   */
  private void followMoves() {
    attached.closeAll(k -> {
      io.qraft.api.log.v1.QueueDef def = log.metadata().queue(k.queue());
      return def != null && !QueueParts.deliveryGroup(def).equals(GroupIds.text(k.group()));
    }, true, k -> servedElsewhere(log.metadata().queue(k.queue())));
    for (List<Consumer> list : List.copyOf(byQueue.values())) {
      for (Consumer c : List.copyOf(list)) {
        io.qraft.api.log.v1.QueueDef def = log.metadata().queue(c.queue);
        if (def != null && !QueueParts.deliveryGroup(def).equals(GroupIds.text(c.group))) {
          close(c, servedElsewhere(def));
        }
      }
    }
  }

  private LeaderElsewhereException servedElsewhere(io.qraft.api.log.v1.QueueDef def) {
    return new LeaderElsewhereException("queue '" + def.getName() + "' is now served by another shard",
        log.leaderOf(GroupIds.parse(QueueParts.deliveryGroup(def))));
  }

  /** The delivery, marked with the shard it came from: its ack goes there. */
  static Delivery fromPart(Delivery d, RaftGroupId group) {
    return d.toBuilder().setTag(d.getTag().toBuilder().setPart(GroupIds.text(group))).build();
  }

  private final class Consumer {
    final String id = UUID.randomUUID().toString();
    final String queue;
    final RaftGroupId group;
    final int prefetch;
    final boolean autoAck;
    final Sink sink;
    int outstanding;
    /** Deliver entries in the log for this consumer, and the credit they asked for. */
    int inFlight;
    int reserved;
    boolean closed;
    boolean delivered;

    Consumer(String queue, RaftGroupId group, int prefetch, boolean autoAck, Sink sink) {
      this.queue = queue;
      this.group = group;
      this.prefetch = prefetch;
      this.autoAck = autoAck;
      this.sink = sink;
    }
  }

  /**
   * Attaches a consumer to a queue carried by group.
   *
   * @throws LeaderElsewhereException if this node does not lead the group
   * @throws LogUnavailableException if this node was just elected and is not ready yet
   */
  public Subscription subscribe(String queue, RaftGroupId group, int prefetch, boolean autoAck, Sink sink) {
    return subscribe(queue, group, prefetch, autoAck, "", sink);
  }

  /**
   * As {@link #subscribe(String, RaftGroupId, int, boolean, Sink)}, for a consumer with an id
   * that outlives its stream (empty: one is made up). A consumer that acknowledges is attached
   * to its queue in the log ({@link AttachedConsumers}); one that does not is served with
   * Deliver entries, each settled at once.
   */
  public Subscription subscribe(String queue, RaftGroupId group, int prefetch, boolean autoAck, String consumerId,
      Sink sink) {
    return subscribe(queue, group, prefetch, autoAck, consumerId, 0, sink);
  }

  /**
   * As {@link #subscribe(String, RaftGroupId, int, boolean, String, Sink)}, with the consumer's
   * own consumer timeout in ms (0: the queue's alone), carried in its Attach. An auto-ack
   * consumer settles each message as it is delivered, so no timeout can pass for it.
   */
  public Subscription subscribe(String queue, RaftGroupId group, int prefetch, boolean autoAck, String consumerId,
      long consumerTimeoutMs, Sink sink) {
    if (!log.isLeader(group)) {
      throw new LeaderElsewhereException("this node does not lead the group of queue '" + queue + "'",
          log.leaderOf(group));
    }
    if (!readyGroups.contains(group)) {
      makeReady(group);
      throw new LogUnavailableException("the leader of queue '" + queue + "' is taking over; retry shortly", null);
    }
    if (!autoAck) {
      String id = consumerId.isEmpty() ? "s-" + UUID.randomUUID() : consumerId;
      return attached.subscribe(queue, group, prefetch, consumerTimeoutMs, id, sink);
    }
    Consumer c = new Consumer(queue, group, prefetch, autoAck, sink);
    dispatcher.execute(() -> {
      byQueue.computeIfAbsent(queue, q -> new ArrayList<>()).add(c);
      dispatch(queue);
    });
    return () -> dispatcher.execute(() -> remove(c));
  }

  /**
   * Queues of the group with consumers that only this node knows of (auto-ack, served with
   * Deliver entries): the log counts them as used (see expires) when the leader says so.
   */
  List<String> queuesWithUnattachedConsumers(RaftGroupId group) {
    try {
      return dispatcher.submit(() -> {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        byQueue.forEach((queue, list) -> {
          for (Consumer c : list) {
            if (c.group.equals(group)) {
              out.add(queue);
            }
          }
        });
        return List.copyOf(out);
      }).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return List.of();
    }
  }

  /** Consumers attached to this node for the queue. */
  public int consumerCount(String queue) {
    try {
      return dispatcher.submit(() -> byQueue.getOrDefault(queue, List.of()).size() + attached.count(queue))
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return 0;
    }
  }

  /**
   * One-shot fetch. Without ack the messages stay outstanding until acked or
   * the lease ends, then return to the queue.
   */
  public CompletableFuture<ShardResult> get(String queue, RaftGroupId group, int count, boolean ack) {
    String id = "get-" + UUID.randomUUID();
    ShardCommand deliver = ShardCommand.newBuilder().setDeliver(Deliver.newBuilder()
        .setQueue(queue).setConsumerId(id).setMaxCount(count).setSettle(ack)).build();
    return log.submitShard(group, deliver).thenApply(result -> {
      if (!ack && result.getDeliveriesCount() > 0) {
        dispatcher.schedule(() -> returnDeliveries(group, id), log.settings().getLease().toMillis(), TimeUnit.MILLISECONDS);
      }
      ShardResult.Builder marked = result.toBuilder().clearDeliveries();
      result.getDeliveriesList().forEach(d -> marked.addDeliveries(fromPart(d, group)));
      return marked.build();
    });
  }

  private void returnDeliveries(RaftGroupId group, String consumerId) {
    returnDeliveries(group, consumerId, 0);
  }

  /**
   * Returns a gone consumer's outstanding deliveries to the queue. Retried while the log does
   * not take it: a delivery left marked for a consumer that no longer exists would stay
   * outstanding until the next leader change, invisible to every other consumer.
   */
  private void returnDeliveries(RaftGroupId group, String consumerId, int attempt) {
    ShardCommand command = ShardCommand.newBuilder()
        .setReturnDeliveries(ReturnDeliveries.newBuilder().setConsumerId(consumerId)).build();
    log.submitShard(group, command).whenComplete((r, e) -> {
      if (e != null) {
        if (attempt < RETURN_ATTEMPTS) {
          dispatcher.schedule(() -> returnDeliveries(group, consumerId, attempt + 1),
              Math.min(5_000, RETRY_MS << Math.min(attempt, 5)), TimeUnit.MILLISECONDS);
        } else {
          LOG.warn("could not return the deliveries of consumer {}: {}; the next leader change returns them",
              consumerId, e.toString());
        }
      }
    });
  }

  private void remove(Consumer c) {
    if (c.closed) {
      return;
    }
    c.closed = true;
    List<Consumer> list = byQueue.get(c.queue);
    if (list != null) {
      list.remove(c);
      if (list.isEmpty()) {
        byQueue.remove(c.queue);
      }
    }
    if (c.inFlight == 0 && c.delivered) {
      // Also when this node no longer leads: the request is forwarded, and a return the new
      // leader already did is a no-op.
      returnDeliveries(c.group, c.id);
    }
  }

  private void dispatch(String queue) {
    List<Consumer> list = byQueue.get(queue);
    if (list == null) {
      return;
    }
    for (Consumer c : List.copyOf(list)) {
      if (c.closed || c.inFlight >= DELIVERS_IN_FLIGHT) {
        continue;
      }
      int credit = c.prefetch - c.outstanding - c.reserved;
      if (credit <= 0) {
        continue;
      }
      ShardStateMachine sm = log.localShards().get(c.group);
      if (sm == null || !sm.hasReady(queue)) {
        return;
      }
      c.inFlight++;
      c.reserved += credit;
      int asked = credit;
      // Unsettled deliveries come back without their messages, which are read from this
      // node's store below: Ratis keeps each reply in its retry cache for seconds.
      ShardCommand deliver = ShardCommand.newBuilder().setDeliver(Deliver.newBuilder()
          .setQueue(queue).setConsumerId(c.id).setMaxCount(credit).setSettle(c.autoAck)
          .setMessagesFromStore(!c.autoAck)).build();
      log.submitShardLocally(c.group, deliver)
          .whenCompleteAsync((result, error) -> delivered(c, asked, result, error), dispatcher);
      // Rotate, so that consumers of one queue take turns.
      list.remove(c);
      list.add(c);
    }
  }

  private void delivered(Consumer c, int asked, ShardResult result, Throwable error) {
    c.inFlight--;
    c.reserved -= asked;
    if (error != null) {
      // Outcome unknown: the entry may still be applied, marking messages for this consumer,
      // so its deliveries must be returned when it goes away.
      c.delivered = true;
      if (!log.isLeader(c.group)) {
        close(c, new LeaderElsewhereException("leadership of the queue moved", log.leaderOf(c.group)));
      } else if (!c.closed) {
        dispatcher.schedule(() -> dispatch(c.queue), RETRY_MS, TimeUnit.MILLISECONDS);
      }
      return;
    }
    if (result.getErrorCode() != Status.OK) {
      close(c, new RequestException(result.getErrorCode(), result.getErrorMessage()));
      return;
    }
    if (result.getDeliveriesCount() > 0) {
      c.delivered = true;
    }
    if (!c.autoAck) {
      c.outstanding += result.getDeliveriesCount();
    }
    if (c.closed) {
      // Cancelled while the Deliver was in the log: give its messages back (once the last
      // Deliver of the consumer has landed, so that none slips in after the return).
      if (!c.autoAck && c.delivered && c.inFlight == 0) {
        returnDeliveries(c.group, c.id);
      }
      return;
    }
    ShardStateMachine shard = log.localShards().get(c.group);
    for (Delivery d : result.getDeliveriesList()) {
      if (!d.hasMessage()) {
        io.qraft.api.v1.Message m = shard == null ? null : storedMessage(shard, d);
        if (m == null) {
          // Gone since (its queue was deleted, or the store closed with the group): the
          // delivery stays marked for this consumer and returns with its other deliveries.
          LOG.debug("consumer {}: message {} of {} is no longer stored", c.id, d.getTag().getOffset(), d.getQueue());
          continue;
        }
        d = d.toBuilder().setMessage(m).build();
      }
      try {
        c.sink.deliver(fromPart(d, c.group));
      } catch (RuntimeException e) {
        LOG.debug("consumer {} could not take a delivery: {}", c.id, e.toString());
        remove(c);
        return;
      }
    }
    dispatch(c.queue);
  }

  private static io.qraft.api.v1.Message storedMessage(ShardStateMachine shard, Delivery d) {
    try {
      return shard.storedMessage(d.getQueue(), d.getTag().getOffset());
    } catch (RuntimeException closed) {
      return null;
    }
  }

  private void close(Consumer c, RuntimeException reason) {
    boolean wasOpen = !c.closed;
    remove(c);
    if (wasOpen) {
      try {
        c.sink.closed(reason);
      } catch (RuntimeException e) {
        LOG.debug("closing consumer {} failed: {}", c.id, e.toString());
      }
    }
  }

  /** Work handed over by the apply threads, run in order on the dispatcher. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> fromApply =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicBoolean drainScheduled = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Hands work from an apply thread to the dispatcher, one wake-up for a whole burst (an entry
   * may decide a hundred deliveries): a thread hand-off per delivery was a visible share of a
   * leader's CPU.
   */
  private void fromApply(Runnable task) {
    fromApply.add(task);
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        dispatcher.execute(this::drainFromApply);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        fromApply.clear();
      }
    }
  }

  private void drainFromApply() {
    drainScheduled.set(false);
    Runnable task;
    while ((task = fromApply.poll()) != null) {
      task.run();
    }
  }

  /**
   * What a shard's apply tells the hub. Consumers exist only where the group is led and ready,
   * so a replica that is not one (every follower) drops deliveries and readiness changes on the
   * apply thread, without a hand-off.
   */
  ShardEvents eventsFor(RaftGroupId group) {
    return new ShardEvents() {
      @Override
      public void messagesReady(String queue) {
        if (readyGroups.contains(group)) {
          fromApply(() -> dispatch(queue));
        }
      }

      @Override
      public void deliveriesSettled(String queue, String consumerId, int count) {
        if (!readyGroups.contains(group)) {
          return;
        }
        fromApply(() -> {
          for (Consumer c : byQueue.getOrDefault(queue, List.of())) {
            if (c.id.equals(consumerId)) {
              c.outstanding = Math.max(0, c.outstanding - count);
            }
          }
          dispatch(queue);
        });
      }

      @Override
      public void delivered(String consumerId, Delivery delivery) {
        if (readyGroups.contains(group)) {
          fromApply(() -> attached.delivered(group, consumerId, delivery));
        }
      }

      @Override
      public void deadLettered(String queue) {
        if (readyGroups.contains(group)) {
          deadLetters.nudge();
        }
      }

      @Override
      public void consumerTimedOut(String queue, String consumerId) {
        if (readyGroups.contains(group)) {
          fromApply(() -> attached.timedOut(group, queue, consumerId));
        }
      }

      @Override
      public void queueDeleted(String queue) {
        fromApply(() -> {
          io.qraft.api.log.v1.QueueDef def = log.metadata().queue(queue);
          // The shard's consumers of the queue went with it: nothing to detach.
          attached.closeAll(k -> k.group().equals(group) && k.queue().equals(queue), false,
              k -> def != null && !QueueParts.deliveryGroup(def).equals(GroupIds.text(group)) ? servedElsewhere(def)
                  : new RequestException(Status.NOT_FOUND, "queue '" + queue + "' was deleted"));
          for (Consumer c : List.copyOf(byQueue.getOrDefault(queue, List.of()))) {
            if (!c.group.equals(group)) {
              continue;
            }
            // An emptied old part is deleted too: its consumers carry on where the queue now is.
            boolean moved = def != null && !QueueParts.deliveryGroup(def).equals(GroupIds.text(group));
            close(c, moved ? servedElsewhere(def)
                : new RequestException(Status.NOT_FOUND, "queue '" + queue + "' was deleted"));
          }
        });
      }
    };
  }

  @Override
  public void leaderChanged(RaftGroupId group, RaftPeerId leader) {
    if (group.equals(GroupIds.METADATA)) {
      return;
    }
    boolean self = leader != null && leader.toString().equals(log.settings().nodeId());
    if (!self) {
      readyGroups.remove(group);
      String leaderId = leader == null ? null : leader.toString();
      dispatcher.execute(() -> {
        attached.leaderLost(group, leaderId);
        for (List<Consumer> list : List.copyOf(byQueue.values())) {
          for (Consumer c : List.copyOf(list)) {
            if (c.group.equals(group)) {
              close(c, new LeaderElsewhereException("leadership of queue '" + c.queue + "' moved", leaderId));
            }
          }
        }
      });
    }
  }

  @Override
  public void leaderReady(RaftGroupId group) {
    if (!group.equals(GroupIds.METADATA)) {
      makeReady(group);
    }
  }

  /**
   * Returns every outstanding delivery of the group but those of attached consumers (they keep
   * theirs for the reattach grace), then accepts consumers.
   */
  private void makeReady(RaftGroupId group) {
    if (readyGroups.contains(group) || !readying.add(group)) {
      return;
    }
    ShardCommand all = ShardCommand.newBuilder()
        .setReturnDeliveries(ReturnDeliveries.newBuilder().setAll(true).setKeepAttached(true)).build();
    log.submitShardLocally(group, all).whenComplete((r, e) -> {
      readying.remove(group);
      if (e == null && log.isLeader(group)) {
        readyGroups.add(group);
        if (r.getCount() > 0) {
          LOG.info("took over group {}: {} outstanding deliveries returned to their queues", group, r.getCount());
        }
      } else if (e != null && log.isLeader(group)) {
        dispatcher.schedule(() -> makeReady(group), RETRY_MS, TimeUnit.MILLISECONDS);
      }
    });
  }

  @Override
  public void close() {
    dispatcher.shutdownNow();
  }
}
