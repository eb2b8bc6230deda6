package io.qraft.log;

import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.statemachine.LogCodec;
import io.qraft.statemachine.MetaMachine;
import io.qraft.statemachine.MetaStateMachine;
import io.qraft.statemachine.RoleListener;
import io.qraft.statemachine.ShardEvents;
import io.qraft.statemachine.ShardStateMachine;
import io.qraft.storage.QueueStore;
import io.qraft.storage.RocksQueueStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated log of one node: the embedded Ratis server, hosting the
 * metadata group (on every node) and the shards this node is a replica of.
 *
 * <p>Writes are submitted straight into the local division when it leads the
 * group, and forwarded to the leader through one Raft client per group
 * otherwise (never one per queue). Shard state machines tell the
 * {@link ConsumerHub} what they applied, so the leader can deliver.
 *
 * <p>Thread-safe.
 */
public final class ReplicatedLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedLog.class);

  private final LogSettings settings;
  private final TlsSettings tls;
  private final RaftProperties properties;
  private final RaftServer server;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final Map<RaftGroupId, ShardStateMachine> shards = new ConcurrentHashMap<>();
  private final List<RoleListener> roleListeners = new CopyOnWriteArrayList<>();
  /** Tells every registered listener what any group's state machine reports. */
  private final RoleListener roleFanOut = new RoleListener() {
    @Override
    public void leaderChanged(RaftGroupId group, RaftPeerId leader) {
      roleListeners.forEach(l -> l.leaderChanged(group, leader));
    }

    @Override
    public void leaderReady(RaftGroupId group) {
      roleListeners.forEach(l -> l.leaderReady(group));
    }
  };
  private final Map<BatcherKey, PublishBatcher> batchers = new ConcurrentHashMap<>();
  private final java.util.concurrent.ScheduledExecutorService batchTimer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qraft-batch-linger");
        t.setDaemon(true);
        return t;
      });
  /** Runs the queue limits' keeper and the dead-letter mover (once a second each, and on nudges). */
  private final java.util.concurrent.ScheduledExecutorService keeperTimer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qraft-queue-keeper");
        t.setDaemon(true);
        return t;
      });
  private final MetaStateMachine meta;
  private final GroupClients clients;
  private final CommitNotices commitNotices = new CommitNotices(() -> submitMetaOnly(MetaCommand.newBuilder()
      .setCommitNotice(io.qraft.api.log.v1.CommitNotice.getDefaultInstance()).build()));
  private final GroupReconciler reconciler;
  private final ConsumerHub consumers;
  private final QueueCatalog catalog;
  private final PolicyCatalog policyCatalog;
  private final UserCatalog userCatalog;
  private final EffectivePolicies effectivePolicies;
  private final LocalAcks localAcks;
  private final LeaderLossWatch leaderWatch;
  private final ServingWatch servingWatch;
  private volatile java.util.function.Consumer<String> stoppedServing =
      why -> LOG.error("{}; this node no longer serves those queues", why);

  public ReplicatedLog(LogSettings settings) throws IOException {
    this(settings, TlsSettings.NONE);
  }

  /** A log whose Raft traffic (server and clients) uses {@code tls}. */
  public ReplicatedLog(LogSettings settings, TlsSettings tls) throws IOException {
    this.settings = settings;
    this.tls = java.util.Objects.requireNonNull(tls);
    this.properties = RatisProperties.of(settings);
    this.reconciler = new GroupReconciler(this);
    this.meta = new MetaStateMachine(this::metadataApplied, roleFanOut);
    this.effectivePolicies = new EffectivePolicies(meta.machine());
    this.clients = new GroupClients(this);
    this.consumers = new ConsumerHub(this);
    consumers.moveDeadLettersWith(new DeadLetterMover(this, keeperTimer));
    new QueueKeeper(this, consumers, keeperTimer);
    this.catalog = new QueueCatalog(this);
    this.policyCatalog = new PolicyCatalog(this);
    this.userCatalog = new UserCatalog(this);
    this.mover = new QueueMover(this);
    this.replicaChanges = new ReplicaChanges(this);
    this.queueRebalancer = new QueueRebalancer(this, mover);
    this.forgetter = new NodeForgetter(this);
    this.leaderWatch = new LeaderLossWatch(this);
    this.servingWatch = new ServingWatch(this, why -> stoppedServing.accept(why));
    roleListeners.add(consumers);
    this.localAcks = new LocalAcks(this);
    roleListeners.add(localAcks);
    this.server = RaftServer.newBuilder()
        .setServerId(GroupIds.peer(settings.nodeId()))
        .setGroup(metadataGroup())
        .setProperties(properties)
        .setParameters(tls.parameters())
        .setStateMachineRegistry(this::newStateMachine)
        // FORMAT refuses an existing directory and RECOVER a missing one: first start, or restart.
        .setOption(java.nio.file.Files.isDirectory(settings.dataDir().resolve("raft").resolve(GroupIds.text(GroupIds.METADATA)))
            ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
        .build();
  }

  private void metadataApplied(MetaCommand command) {
    if (command.hasUnbindQueue()) {
      effectivePolicies.forget(command.getUnbindQueue().getQueue());
    }
    reconciler.metadataChanged();
    if (command.hasSetPolicy() || command.hasClearPolicy() || command.hasPinReplicas() || command.hasSetQueueSync()) {
      mover.nudge();
    }
    if (command.hasForgetNode()) {
      forgetter.nudge();
    }
  }

  private StateMachine newStateMachine(RaftGroupId group) {
    if (group.equals(GroupIds.METADATA)) {
      return meta;
    }
    ShardEvents events = consumers.eventsFor(group);
    ShardStateMachine sm = new ShardStateMachine(this::openStore, events, roleFanOut, localAcks);
    shards.put(group, sm);
    return sm;
  }

  private QueueStore openStore(RaftGroupId group) {
    try {
      return RocksQueueStore.open(storeDir(group));
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(new IOException("cannot open the store of group " + group, e));
    }
  }

  Path storeDir(RaftGroupId group) {
    return settings.dataDir().resolve("store").resolve(GroupIds.text(group));
  }

  public void start() throws IOException {
    server.start();
    checkLogsCoverState();
    reconciler.start();
    mover.start();
    forgetter.start();
    leaderWatch.start();
    servingWatch.start();
    LOG.info("node {} started: raft on {}, {} members", settings.nodeId(), settings.self().raftAddress(),
        settings.members().size());
  }

  /**
   * Refuses to run a replica whose Raft log ends before the state it already
   * applied: its log lost entries (a truncated or damaged file) that this node
   * may have acknowledged, and Raft's safety rests on a node keeping what it
   * acknowledged. Such a node must not vote; it is repaired by removing the
   * group's directories and letting it catch up from its peers.
   */
  private void checkLogsCoverState() throws IOException {
    for (Map.Entry<RaftGroupId, ShardStateMachine> e : shards.entrySet()) {
      RaftServer.Division d = division(e.getKey()).orElse(null);
      if (d == null) {
        continue;
      }
      org.apache.ratis.server.protocol.TermIndex last = d.getRaftLog().getLastEntryTermIndex();
      long logEnd = Math.max(last == null ? 0 : last.getIndex(), d.getRaftLog().getSnapshotIndex());
      long applied = e.getValue().storeAppliedIndex();
      if (applied > logEnd) {
        throw new IOException("group " + GroupIds.text(e.getKey()) + ": the queue state is at log index " + applied
            + " but the Raft log ends at " + logEnd + ", so the log lost entries this node had written."
            + " Refusing to start, so that this node never votes with a damaged log. To repair: remove "
            + settings.dataDir().resolve("raft").resolve(GroupIds.text(e.getKey())) + " and "
            + storeDir(e.getKey()) + ", then start the node; it rejoins and catches up from its peers.");
      }
    }
  }

  /** Null while this node's Raft server and every group it carries run, else why not. */
  public String whyNotServing() {
    return servingWatch.whyNotServingNow();
  }

  /**
   * What to do when this node stops serving on its own (see {@link ServingWatch}): told once, with
   * why. By default it is logged; a node process exits, so that its supervisor restarts it.
   */
  public void onStoppedServing(java.util.function.Consumer<String> action) {
    this.stoppedServing = java.util.Objects.requireNonNull(action);
  }

  public void addRoleListener(RoleListener listener) {
    roleListeners.add(listener);
  }

  /** TLS of this node's Raft traffic; {@link TlsSettings#NONE} for plaintext. */
  public TlsSettings tls() {
    return tls;
  }

  public LogSettings settings() {
    return settings;
  }

  /** Elections this node stood for at once because a group's leader process was gone ({@link LeaderLossWatch}). */
  public long leaderLossElections() {
    return leaderWatch.elections();
  }

  public RaftServer server() {
    return server;
  }

  ClientId clientId() {
    return clientId;
  }

  long nextCallId() {
    return callIds.incrementAndGet();
  }

  public MetaMachine metadata() {
    return meta.machine();
  }

  /** The configured members that were not forgotten (forget_node), in configured order. */
  public List<String> liveMembers() {
    java.util.Set<String> forgotten = metadata().forgotten();
    return settings.members().stream().map(NodeAddress::id).filter(id -> !forgotten.contains(id)).toList();
  }

  /** CRC32 of the metadata state and its applied index. */
  public long[] metadataChecksum() {
    return meta.checksum();
  }

  public ConsumerHub consumers() {
    return consumers;
  }

  /** Moves queues to the replica sets their policies ask for and tends their old parts. */
  private final QueueMover mover;
  private final ReplicaChanges replicaChanges;
  /** Evens out the queues per shard (rebalance), through the mover. */
  private final QueueRebalancer queueRebalancer;
  /** Carries out forget_node on the metadata leader. */
  private final NodeForgetter forgetter;

  public ReplicaChanges replicaChanges() {
    return replicaChanges;
  }

  public QueueRebalancer queueRebalancer() {
    return queueRebalancer;
  }

  public NodeForgetter nodeForgetter() {
    return forgetter;
  }

  public QueueCatalog catalog() {
    return catalog;
  }

  /** Users and their permissions. */
  public UserCatalog users() {
    return userCatalog;
  }

  public PolicyCatalog policies() {
    return policyCatalog;
  }

  /**
   * What the queue runs with (declare arguments over its policy) as this node's metadata
   * replica knows the policies. Cheap: cached until the policies or the queue change.
   */
  public EffectivePolicy effectivePolicy(QueueDef queue) {
    return effectivePolicies.of(queue);
  }

  /** What a queue being declared with these arguments would run with under today's policies. */
  EffectivePolicy effectivePolicy(String queue, Map<String, String> arguments) {
    return effectivePolicies.of(queue, arguments);
  }

  /** The shard state machines hosted on this node. */
  public Map<RaftGroupId, ShardStateMachine> localShards() {
    return shards;
  }

  void forgetShard(RaftGroupId group) {
    shards.remove(group);
    batchers.keySet().removeIf(k -> k.group().equals(group));
    clients.close(group);
    try {
      FileUtils.deleteFully(storeDir(group));
    } catch (IOException e) {
      LOG.warn("could not delete the store of removed group {}", group, e);
    }
  }

  public RaftGroup metadataGroup() {
    List<RaftPeer> peers = new ArrayList<>();
    for (NodeAddress m : settings.members()) {
      peers.add(RaftPeer.newBuilder().setId(GroupIds.peer(m.id())).setAddress(m.raftAddress()).build());
    }
    return RaftGroup.valueOf(GroupIds.METADATA, peers);
  }

  /**
   * The Raft group of a shard. Every replica has the same priority: with a
   * higher one, Ratis hands leadership back to the preferred node whenever it
   * returns, an extra election after every pause or restart of that node.
   * Leaders are spread once, at creation ({@link #moveLeader}).
   */
  RaftGroup groupOf(ShardDef shard) {
    List<RaftPeer> peers = new ArrayList<>();
    for (String id : shard.getReplicasList()) {
      NodeAddress m = settings.member(id);
      peers.add(RaftPeer.newBuilder().setId(GroupIds.peer(id)).setAddress(m.raftAddress()).build());
    }
    return RaftGroup.valueOf(GroupIds.parse(shard.getGroup()), peers);
  }

  /** The group of this id as this node knows it: metadata, or a shard from metadata. */
  RaftGroup group(RaftGroupId id) {
    if (id.equals(GroupIds.METADATA)) {
      return metadataGroup();
    }
    ShardDef def = metadata().shard(GroupIds.text(id));
    if (def == null) {
      throw new LogUnavailableException("group " + id + " is not (yet) known on this node", null);
    }
    return groupOf(def);
  }

  public Optional<RaftServer.Division> division(RaftGroupId group) {
    try {
      return Optional.of(server.getDivision(group));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public boolean isLeader(RaftGroupId group) {
    return division(group).map(d -> d.getInfo().isLeader() && d.getInfo().isLeaderReady()).orElse(false);
  }

  /**
   * Before a clean shutdown: stops this node from standing for election in any
   * group, and hands every group it leads to the follower that is furthest
   * along, so the groups elect no one and lose no time when the node leaves.
   * Ratis transfers only once the target's log is up to date. Best effort,
   * bounded by timeoutMs.
   */
  public void handOverLeadership(long timeoutMs) {
    // A node on its way out stands for nothing, whoever else leaves.
    leaderWatch.close();
    List<CompletableFuture<?>> transfers = new ArrayList<>();
    for (RaftGroupId id : server.getGroupIds()) {
      RaftServer.Division d = division(id).orElse(null);
      if (d == null) {
        continue;
      }
      try {
        server.leaderElectionManagement(org.apache.ratis.protocol.LeaderElectionManagementRequest.newPause(
            clientId, server.getId(), id, nextCallId()));
      } catch (IOException e) {
        LOG.debug("could not pause elections in {}: {}", id, e.toString());
      }
      if (!d.getInfo().isLeader()) {
        continue;
      }
      // The follower heard from most recently; Ratis waits until its log is up to date.
      RaftPeerId target = null;
      long best = Long.MAX_VALUE;
      for (org.apache.ratis.proto.RaftProtos.ServerRpcProto f
          : d.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
        if (f.getLastRpcElapsedTimeMs() < Math.min(best, settings.electionTimeoutMax().toMillis())) {
          best = f.getLastRpcElapsedTimeMs();
          target = RaftPeerId.valueOf(f.getId().getId());
        }
      }
      if (target == null) {
        continue;
      }
      org.apache.ratis.protocol.TransferLeadershipRequest request = new org.apache.ratis.protocol.TransferLeadershipRequest(
          clientId, server.getId(), id, nextCallId(), target, timeoutMs);
      RaftPeerId to = target;
      transfers.add(CompletableFuture.runAsync(() -> {
        try {
          server.transferLeadership(request);
          LOG.info("handed leadership of {} to {}", id, to);
        } catch (IOException e) {
          LOG.info("could not hand leadership of {} to {}: {}", id, to, e.toString());
        }
      }));
    }
    try {
      CompletableFuture.allOf(transfers.toArray(CompletableFuture[]::new)).get(timeoutMs + 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.info("leadership hand-over did not finish in {} ms: {}", timeoutMs, e.toString());
    }
  }

  /**
   * Asks the group's leader to hand leadership to the given node, which Ratis does once that
   * node's log is up to date. Returns null when it moved, else why it did not.
   */
  public String moveLeader(RaftGroupId group, String nodeId, long timeoutMs) {
    return clients.transferLeadership(group, GroupIds.peer(nodeId), timeoutMs, false);
  }

  /** As {@link #moveLeader}, for a shard just added: waits (bounded) for its replicas to start it. */
  String moveLeaderOfNewShard(RaftGroupId group, String nodeId, long timeoutMs) {
    return clients.transferLeadership(group, GroupIds.peer(nodeId), timeoutMs, true);
  }

  /** The node id of the group's leader as this node knows it, or null. */
  public String leaderOf(RaftGroupId group) {
    return division(group).map(d -> d.getInfo().getLeaderId()).map(RaftPeerId::toString).orElse(null);
  }

  public CompletableFuture<MetaResult> submitMeta(MetaCommand command) {
    CompletableFuture<MetaResult> result = submitMetaOnly(command);
    if (command.getKindCase() != MetaCommand.KindCase.COMMIT_NOTICE) {
      result.thenRun(commitNotices::committed);
    }
    return result;
  }

  private CompletableFuture<MetaResult> submitMetaOnly(MetaCommand command) {
    return submit(GroupIds.METADATA, LogCodec.message(command), false).thenApply(m -> {
      try {
        return LogCodec.metaResult(m);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new CompletionException(e);
      }
    });
  }

  public CompletableFuture<ShardResult> submitShard(RaftGroupId group, ShardCommand command) {
    return decoded(submit(group, LogCodec.message(stamped(command)), false));
  }

  /** As {@link #submitShard}, to a shard just added: waits (bounded) for its replicas to start it. */
  CompletableFuture<ShardResult> submitShardToNewShard(RaftGroupId group, ShardCommand command) {
    return decoded(submit(group, LogCodec.message(stamped(command)), true));
  }

  /**
   * The command with this node's time in it, unless it has one: every rule of a queue's limits
   * (expiry, timeouts, delayed requeues, expires) decides on the time in the entry, the same on
   * every replica.
   */
  static ShardCommand stamped(ShardCommand command) {
    return command.getLeaderTimeMs() != 0 ? command
        : command.toBuilder().setLeaderTimeMs(System.currentTimeMillis()).build();
  }

  private static CompletableFuture<ShardResult> decoded(CompletableFuture<Message> reply) {
    return reply.thenApply(m -> {
      try {
        return LogCodec.shardResult(m);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new CompletionException(e);
      }
    });
  }

  /**
   * Publishes into the next batch of the queue's group (see {@link PublishBatcher}), with the
   * ack mode and batch limits the queue has now (its {@link #effectivePolicy}); the result is
   * this publish's own, and it is all-or-nothing.
   */
  public CompletableFuture<io.qraft.api.log.v1.PublishResult> publish(QueueDef queue,
      io.qraft.api.log.v1.QueuePublish publish) {
    return publish(GroupIds.parse(queue.getGroup()), publish, effectivePolicy(queue));
  }

  /** Publishes into the group's next batch with the given ack mode and batch limits. */
  public CompletableFuture<io.qraft.api.log.v1.PublishResult> publish(RaftGroupId group,
      io.qraft.api.log.v1.QueuePublish publish, EffectivePolicy effective) {
    return batcher(group, effective.localAcks()).publish(publish, effective.batchLimits(settings.batch()));
  }

  /** True while the group has more publish bytes in hand than flow control allows. */
  public boolean publishersMustWait(RaftGroupId group) {
    return pendingPublishBytes(group) > settings.flowMaxPendingBytes();
  }

  /** Publish bytes this node accepted for the group and has not answered yet. */
  public long pendingPublishBytes(RaftGroupId group) {
    long pending = 0;
    for (Map.Entry<BatcherKey, PublishBatcher> e : batchers.entrySet()) {
      if (e.getKey().group().equals(group)) {
        pending += e.getValue().pendingBytes();
      }
    }
    return pending;
  }

  /** Publish batches this node sent to the group and the publishes they carried. */
  public long[] batchCounts(RaftGroupId group) {
    long[] out = {0, 0};
    batchers.forEach((key, b) -> {
      if (key.group().equals(group)) {
        long[] c = b.counts();
        out[0] += c[0];
        out[1] += c[1];
      }
    });
    return out;
  }

  private record BatcherKey(RaftGroupId group, boolean local) {}

  private PublishBatcher batcher(RaftGroupId group, boolean local) {
    return batchers.computeIfAbsent(new BatcherKey(group, local),
        k -> new PublishBatcher(new EntrySink() {
          @Override
          public CompletableFuture<ShardResult> submit(ShardCommand command) {
            return submitShard(group, command);
          }

          @Override
          public CompletableFuture<?>[] submitFlushed(ShardCommand command) {
            return submitLocalFlushed(group, command);
          }
        }, batchTimer, settings.batchMaxInFlight(), local));
  }

  /** Only where this node leads the group: never forwarded (consumer dispatch uses it). */
  CompletableFuture<ShardResult> submitShardLocally(RaftGroupId group, ShardCommand command) {
    return submitLocal(group, LogCodec.message(stamped(command))).thenApply(reply -> {
      if (!reply.isSuccess()) {
        throw new CompletionException(new LogUnavailableException("not leader of " + group, reply.getException()));
      }
      try {
        return LogCodec.shardResult(reply.getMessage());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new CompletionException(e);
      }
    });
  }

  private CompletableFuture<Message> submit(RaftGroupId group, Message message, boolean newGroup) {
    String closed = notRunning(group);
    if (closed != null) {
      return CompletableFuture.failedFuture(new LogUnavailableException(closed, null));
    }
    boolean localLeader = division(group).map(d -> d.getInfo().isLeader()).orElse(false);
    if (!localLeader) {
      return newGroup ? clients.sendToNewGroup(group, message) : clients.send(group, message);
    }
    return submitLocal(group, message).thenCompose(reply -> {
      if (reply.isSuccess()) {
        return CompletableFuture.completedFuture(reply.getMessage());
      }
      if (reply.getNotLeaderException() != null
          || reply.getException() instanceof org.apache.ratis.protocol.exceptions.LeaderNotReadyException) {
        // Leadership moved between the check and the submit: the Raft client finds the new leader.
        return clients.send(group, message);
      }
      return CompletableFuture.failedFuture(unavailable(group, reply.getException()));
    });
  }

  /**
   * Submits to this node's leader division and also reports when the leader's
   * own log has flushed the entry ({@code local} ack mode).
   *
   * @return {flushed, reply}
   * @throws LeaderElsewhereException if this node does not lead the group
   */
  @SuppressWarnings("unchecked")
  CompletableFuture<?>[] submitLocalFlushed(RaftGroupId group, ShardCommand command) {
    RaftServer.Division d = division(group).filter(x -> x.getInfo().isLeader()).orElseThrow(() ->
        new LeaderElsewhereException("ack-mode local publishes must reach the leader", leaderOf(group)));
    long callId = nextCallId();
    CompletableFuture<Void> flushed = localAcks.expect(group, callId, d.getInfo().getCurrentTerm());
    CompletableFuture<ShardResult> reply = submitLocal(group, LogCodec.message(command), callId).thenApply(r -> {
      if (!r.isSuccess()) {
        throw new CompletionException(r.getNotLeaderException() != null
            ? new LeaderElsewhereException("leadership moved", leaderOf(group))
            : unavailable(group, r.getException()));
      }
      try {
        return LogCodec.shardResult(r.getMessage());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new CompletionException(e);
      }
    });
    reply.whenComplete((r, e) -> {
      localAcks.forget(callId);
      if (e != null) {
        flushed.completeExceptionally(e);
      }
    });
    return new CompletableFuture<?>[] {flushed, reply};
  }

  private CompletableFuture<RaftClientReply> submitLocal(RaftGroupId group, Message message) {
    return submitLocal(group, message, nextCallId());
  }

  /** Why this node's replica of the group cannot take requests (its division closed), or null. */
  String notRunning(RaftGroupId group) {
    if (server.getLifeCycleState().isClosingOrClosed()) {
      return "node " + settings.nodeId() + " is not serving: its Raft server is closed; retry on another node";
    }
    return division(group).filter(d -> !d.getInfo().isAlive())
        .map(d -> GroupIds.describe(group)
            + " is not running on " + settings.nodeId() + ": its Raft group is closed; retry on another node")
        .orElse(null);
  }

  private CompletableFuture<RaftClientReply> submitLocal(RaftGroupId group, Message message, long callId) {
    String closed = notRunning(group);
    if (closed != null) {
      return CompletableFuture.failedFuture(new LogUnavailableException(closed, null));
    }
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(server.getId())
        .setGroupId(group)
        .setCallId(callId)
        .setMessage(message)
        .setType(RaftClientRequest.writeRequestType())
        .build();
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = server.submitClientRequestAsync(request);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(unavailable(group, e));
    }
    // A group closing under the call fails it with an executor's or Ratis's exception: say it in words.
    return reply.exceptionallyCompose(e -> CompletableFuture.failedFuture(
        unwrap(e) instanceof LogUnavailableException ? unwrap(e) : unavailable(group, unwrap(e))));
  }

  private LogUnavailableException unavailable(RaftGroupId group, Throwable cause) {
    String closed = notRunning(group);
    return new LogUnavailableException(closed != null ? closed
        : GroupIds.describe(group)
            + " on " + settings.nodeId() + " did not take the request (" + Reasons.of(cause) + ")", cause);
  }

  /**
   * The queue's definition: from this node's metadata replica, or, when the
   * replica does not have it (yet), from the metadata leader.
   */
  public CompletableFuture<Optional<QueueDef>> lookupQueue(String queue) {
    QueueDef local = metadata().queue(queue);
    if (local != null || isLeader(GroupIds.METADATA)) {
      return CompletableFuture.completedFuture(Optional.ofNullable(local));
    }
    return clients.query(GroupIds.METADATA, MetaStateMachine.lookupQuery(queue))
        .thenApply(MetaStateMachine::lookupAnswer);
  }

  @Override
  public void close() {
    servingWatch.close();
    leaderWatch.close();
    batchTimer.shutdownNow();
    keeperTimer.shutdownNow();
    mover.close();
    forgetter.close();
    localAcks.close();
    consumers.close();
    reconciler.close();
    clients.closeAll();
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("closing the Raft server failed", e);
    }
  }

  /** The cause behind CompletionException and ExecutionException wrappers. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

}
