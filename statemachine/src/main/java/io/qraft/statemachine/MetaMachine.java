package io.qraft.statemachine;

import io.qraft.api.Policy;
import io.qraft.api.UserPermissions;
import io.qraft.api.log.v1.AddShard;
import io.qraft.api.log.v1.BeginMove;
import io.qraft.api.log.v1.ClearStalePart;
import io.qraft.api.log.v1.DropPart;
import io.qraft.api.log.v1.FinishMove;
import io.qraft.api.log.v1.ForgetNode;
import io.qraft.api.log.v1.MembershipSet;
import io.qraft.api.log.v1.ReplaceReplica;
import io.qraft.api.log.v1.PinReplicas;
import io.qraft.api.log.v1.SetQueueSync;
import io.qraft.api.log.v1.BindQueue;
import io.qraft.api.log.v1.ClearPolicy;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.MetaState;
import io.qraft.api.log.v1.PolicyDef;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.RemoveShard;
import io.qraft.api.log.v1.SetPolicy;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.log.v1.StalePart;
import io.qraft.api.log.v1.UnbindQueue;
import io.qraft.api.log.v1.PermissionDef;
import io.qraft.api.log.v1.UserDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Cluster metadata, replicated on every node: the shards (Raft groups that
 * carry queues), which group carries each queue, the groups that were
 * removed, the operator policies, the nodes forgotten for good and the old parts given up
 * (ha-promote-on-shutdown: always) whose records are still to be deleted, and the users with
 * their permissions ({@link Users}). Deterministic; state lives in memory and in snapshots.
 *
 * <p>Invariants: every bound queue's group is a live shard; a removed group
 * never comes back. Thread-safety: methods are synchronized (one apply thread,
 * many readers).
 */
public final class MetaMachine {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MetaMachine.class);
  private final Map<String, ShardDef> shards = new TreeMap<>();
  private final Map<String, QueueDef> queues = new TreeMap<>();
  private final Set<String> removed = new TreeSet<>();
  private final Map<String, PolicyDef> policies = new TreeMap<>();
  private final Set<String> forgotten = new TreeSet<>();
  /** Given-up parts whose records are still in their shard, keyed queue + NUL + group. */
  private final Map<String, StalePart> stale = new TreeMap<>();
  /**
   * Bumped whenever the policies may have changed (set, clear, load): a key for caches of
   * what policies make of a queue. Not state: never exported, and differs between replicas.
   */
  private long policiesVersion;
  private final Users users = new Users();
  /** As {@link #policiesVersion}, for the users and their permissions: an authenticator's cache key. */
  private long usersVersion;
  private com.google.protobuf.ByteString clusterSecret = com.google.protobuf.ByteString.EMPTY;
  /**
   * The index of the last entry applied, for {@link #apply(MetaCommand)}, which has none and takes
   * the next. Not state: what it stamps (credential generations) is exported, it is not.
   */
  private long lastIndex;

  /**
   * Applies one committed command. Never throws for what the command holds: a command that
   * fails its checks ({@link MetaCommandCheck}) or fails while applied is a rejected result,
   * the same on every replica, and the metadata group goes on.
   */
  public synchronized MetaResult apply(MetaCommand command) {
    return apply(lastIndex + 1, command);
  }

  /**
   * As {@link #apply(MetaCommand)}, for the entry at that log index: what the command stamps
   * (a user's credential generation) is the index, the same on every replica.
   */
  public synchronized MetaResult apply(long index, MetaCommand command) {
    lastIndex = Math.max(lastIndex, index);
    String problem = MetaCommandCheck.problem(command);
    if (problem != null) {
      return error(Status.INVALID_ARGUMENT, problem);
    }
    try {
      return changes(index, command);
    } catch (RuntimeException e) {
      // Every method checks before it changes anything, so a failure leaves the state as it was.
      LOG.warn("metadata command {} could not be applied and was rejected", command.getKindCase(), e);
      return error(Status.INVALID_ARGUMENT, "the command could not be applied; nothing changed");
    }
  }

  private MetaResult changes(long index, MetaCommand command) {
    return switch (command.getKindCase()) {
      case ADD_SHARD -> addShard(command.getAddShard());
      case REMOVE_SHARD -> removeShard(command.getRemoveShard());
      case BIND_QUEUE -> bindQueue(command.getBindQueue());
      case UNBIND_QUEUE -> unbindQueue(command.getUnbindQueue());
      case SET_POLICY -> setPolicy(command.getSetPolicy());
      case CLEAR_POLICY -> clearPolicy(command.getClearPolicy());
      case BEGIN_MOVE -> beginMove(command.getBeginMove());
      case FINISH_MOVE -> finishMove(command.getFinishMove());
      case DROP_PART -> dropPart(command.getDropPart());
      case SET_QUEUE_SYNC -> setQueueSync(command.getSetQueueSync());
      case PIN_REPLICAS -> pinReplicas(command.getPinReplicas());
      case FORGET_NODE -> forgetNode(command.getForgetNode());
      case REPLACE_REPLICA -> replaceReplica(command.getReplaceReplica());
      case MEMBERSHIP_SET -> membershipSet(command.getMembershipSet());
      case CLEAR_STALE_PART -> clearStalePart(command.getClearStalePart());
      case PUT_USER -> userChange(users.put(index, command.getPutUser()));
      case DELETE_USER -> userChange(users.delete(command.getDeleteUser()));
      case SET_USER_TAGS -> userChange(users.setTags(command.getSetUserTags()));
      case CHANGE_PASSWORD -> userChange(users.changePassword(index, command.getChangePassword()));
      case SET_PERMISSIONS -> userChange(users.setPermissions(command.getSetPermissions()));
      case CLEAR_PERMISSIONS -> userChange(users.clearPermissions(command.getClearPermissions()));
      case SET_CLUSTER_SECRET -> setClusterSecret(command.getSetClusterSecret());
      case COMMIT_NOTICE -> MetaResult.getDefaultInstance();
      case KIND_NOT_SET -> error(Status.INVALID_ARGUMENT, "empty metadata command");
    };
  }

  private MetaResult addShard(AddShard c) {
    String group = c.getShard().getGroup();
    if (removed.contains(group)) {
      return error(Status.FAILED_PRECONDITION, "group " + group + " was removed and cannot be added again");
    }
    for (String node : c.getShard().getReplicasList()) {
      if (forgotten.contains(node)) {
        return error(Status.FAILED_PRECONDITION, "node '" + node + "' was forgotten and takes no new shard");
      }
    }
    ShardDef existing = shards.get(group);
    if (existing != null) {
      if (!existing.equals(c.getShard())) {
        return error(Status.FAILED_PRECONDITION, "group " + group + " exists with another definition");
      }
      return MetaResult.newBuilder().setCreated(false).build();
    }
    shards.put(group, c.getShard());
    return MetaResult.newBuilder().setCreated(true).build();
  }

  private MetaResult removeShard(RemoveShard c) {
    if (!shards.containsKey(c.getGroup())) {
      return error(Status.NOT_FOUND, "no shard " + c.getGroup());
    }
    String user = queueUsing(c.getGroup());
    if (user != null) {
      return error(Status.FAILED_PRECONDITION, "shard " + c.getGroup() + " still carries queue '" + user + "'");
    }
    shards.remove(c.getGroup());
    removed.add(c.getGroup());
    // A removed group is deleted on every node, and with it what given-up parts kept there.
    stale.values().removeIf(p -> p.getGroup().equals(c.getGroup()));
    return MetaResult.getDefaultInstance();
  }

  private MetaResult bindQueue(BindQueue c) {
    QueueDef existing = queues.get(c.getQueue());
    if (existing != null) {
      if (existing.getArgumentsMap().equals(c.getArgumentsMap())) {
        return MetaResult.newBuilder().setCreated(false).setQueue(existing).build();
      }
      return error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue() + "' exists with arguments "
          + new TreeMap<>(existing.getArgumentsMap()) + ", not " + new TreeMap<>(c.getArgumentsMap()));
    }
    if (!shards.containsKey(c.getGroup())) {
      return error(Status.FAILED_PRECONDITION, "group " + c.getGroup() + " is not a shard");
    }
    if (c.getMaxQueues() > 0 && queues.size() >= c.getMaxQueues()) {
      return error(Status.RESOURCE_EXHAUSTED, "the cluster holds " + queues.size() + " queues, its limit"
          + " (limits.max_queues): delete queues first");
    }
    if (stale.containsKey(staleKey(c.getQueue(), c.getGroup()))) {
      return error(Status.FAILED_PRECONDITION, "group " + c.getGroup() + " still holds records of an earlier queue '"
          + c.getQueue() + "' whose part was given up; they are deleted once that shard is available");
    }
    QueueDef def = QueueDef.newBuilder().setName(c.getQueue()).putAllArguments(c.getArgumentsMap())
        .setGroup(c.getGroup()).build();
    queues.put(c.getQueue(), def);
    return MetaResult.newBuilder().setCreated(true).setQueue(def).build();
  }

  private MetaResult unbindQueue(UnbindQueue c) {
    QueueDef def = queues.remove(c.getQueue());
    if (def == null) {
      return error(Status.NOT_FOUND, "queue '" + c.getQueue() + "' does not exist");
    }
    stale.replaceAll((k, p) -> p.getQueue().equals(c.getQueue()) ? p.toBuilder().setOrphaned(true).build() : p);
    return MetaResult.newBuilder().setQueue(def).build();
  }

  private MetaResult beginMove(BeginMove c) {
    QueueDef def = queues.get(c.getQueue());
    if (def == null) {
      return error(Status.NOT_FOUND, "queue '" + c.getQueue() + "' does not exist");
    }
    if (!def.getMovingTo().isEmpty()) {
      if (def.getMovingTo().equals(c.getToGroup())) {
        return MetaResult.newBuilder().setQueue(def).build();
      }
      return error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue() + "' is already moving to "
          + def.getMovingTo() + "; a queue moves once at a time");
    }
    if (!shards.containsKey(c.getToGroup())) {
      return error(Status.FAILED_PRECONDITION, "group " + c.getToGroup() + " is not a shard");
    }
    if (def.getGroup().equals(c.getToGroup()) || def.getOldPartsList().contains(c.getToGroup())) {
      // One shard keeps one copy of a queue's state: it cannot take the queue while holding a part of it.
      return error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue() + "' already has a part in " + c.getToGroup());
    }
    if (stale.containsKey(staleKey(c.getQueue(), c.getToGroup()))) {
      return error(Status.FAILED_PRECONDITION, "group " + c.getToGroup() + " still holds records of a part queue '"
          + c.getQueue() + "' gave up; they are deleted once that shard is available");
    }
    QueueDef moving = def.toBuilder().setMovingTo(c.getToGroup()).build();
    queues.put(c.getQueue(), moving);
    return MetaResult.newBuilder().setCreated(true).setQueue(moving).build();
  }

  private MetaResult finishMove(FinishMove c) {
    QueueDef def = queues.get(c.getQueue());
    if (def == null) {
      return error(Status.NOT_FOUND, "queue '" + c.getQueue() + "' does not exist");
    }
    if (def.getMovingTo().isEmpty() && def.getGroup().equals(c.getToGroup())) {
      return MetaResult.newBuilder().setQueue(def).build();
    }
    if (!def.getMovingTo().equals(c.getToGroup())) {
      return error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue() + "' is not moving to " + c.getToGroup());
    }
    QueueDef.Builder moved = def.toBuilder().setGroup(c.getToGroup()).setMovingTo("");
    if (c.getOldPartHasMessages()) {
      moved.addOldParts(def.getGroup()).putOldPartSealedMessages(def.getGroup(), c.getOldPartMessages());
    }
    QueueDef out = moved.build();
    queues.put(c.getQueue(), out);
    return MetaResult.newBuilder().setCreated(true).setQueue(out).build();
  }

  private MetaResult dropPart(DropPart c) {
    QueueDef def = queues.get(c.getQueue());
    if (def == null || !def.getOldPartsList().contains(c.getGroup())) {
      return MetaResult.newBuilder().setCreated(false).build();
    }
    List<String> parts = new ArrayList<>(def.getOldPartsList());
    parts.remove(c.getGroup());
    QueueDef.Builder out = def.toBuilder().clearOldParts().addAllOldParts(parts)
        .removeOldPartSealedMessages(c.getGroup());
    if (parts.isEmpty()) {
      out.setSyncRequested(false);
    }
    if (c.getGivenUp()) {
      out.setGivenUpMessages(def.getGivenUpMessages() + c.getMessagesSeen());
      stale.put(staleKey(c.getQueue(), c.getGroup()), StalePart.newBuilder().setQueue(c.getQueue())
          .setGroup(c.getGroup()).setEstimated(c.getMessagesSeen()).build());
    }
    QueueDef dropped = out.build();
    queues.put(c.getQueue(), dropped);
    return MetaResult.newBuilder().setCreated(true).setQueue(dropped).build();
  }

  private MetaResult setQueueSync(SetQueueSync c) {
    QueueDef def = queues.get(c.getQueue());
    if (def == null) {
      return error(Status.NOT_FOUND, "queue '" + c.getQueue() + "' does not exist");
    }
    QueueDef out = def.toBuilder().setSyncRequested(c.getSync() && def.getOldPartsCount() > 0).build();
    queues.put(c.getQueue(), out);
    return MetaResult.newBuilder().setQueue(out).build();
  }

  private MetaResult pinReplicas(PinReplicas c) {
    QueueDef def = queues.get(c.getQueue());
    if (def == null) {
      return error(Status.NOT_FOUND, "queue '" + c.getQueue() + "' does not exist");
    }
    QueueDef out = def.toBuilder().clearPinnedReplicas().addAllPinnedReplicas(new TreeSet<>(c.getReplicasList()))
        .setPinnedFor(c.getReplicasCount() == 0 ? "" : c.getPinnedFor()).build();
    queues.put(c.getQueue(), out);
    return MetaResult.newBuilder().setQueue(out).build();
  }

  /**
   * Stores the policy, replacing one of the same name. The submitter validated it already
   * (including what needs the cluster's members); checked again here so that no replica
   * ever holds a policy it cannot read.
   */
  private MetaResult setPolicy(SetPolicy c) {
    PolicyDef def;
    try {
      def = Policy.fromDef(c.getPolicy()).toDef();
    } catch (IllegalArgumentException e) {
      return error(Status.INVALID_ARGUMENT, e.getMessage());
    }
    if (c.getMaxPolicies() > 0 && !policies.containsKey(def.getName()) && policies.size() >= c.getMaxPolicies()) {
      return error(Status.RESOURCE_EXHAUSTED, "the cluster holds " + policies.size() + " policies, its limit"
          + " (limits.max_policies): clear a policy first");
    }
    boolean created = policies.put(def.getName(), def) == null;
    policiesVersion++;
    return MetaResult.newBuilder().setCreated(created).build();
  }

  private MetaResult clearPolicy(ClearPolicy c) {
    if (policies.remove(c.getName()) == null) {
      return error(Status.NOT_FOUND, "no policy named '" + c.getName() + "'; list_policies shows the policies");
    }
    policiesVersion++;
    return MetaResult.getDefaultInstance();
  }

  private MetaResult forgetNode(ForgetNode c) {
    if (!forgotten.add(c.getNode())) {
      return error(Status.FAILED_PRECONDITION, "node '" + c.getNode() + "' was forgotten already");
    }
    return MetaResult.newBuilder().setCreated(true).build();
  }

  /**
   * Swaps a member of the shard's replica set. Applied again (a retry, or a new metadata
   * leader repeating its predecessor's last step) it changes nothing.
   */
  private MetaResult replaceReplica(ReplaceReplica c) {
    ShardDef shard = shards.get(c.getGroup());
    if (shard == null) {
      return error(Status.NOT_FOUND, "no shard " + c.getGroup());
    }
    String replacement = c.getReplacement();
    List<String> replicas = shard.getReplicasList();
    if (!replicas.contains(c.getNode())) {
      if (replacement.isEmpty() || replicas.contains(replacement)) {
        return MetaResult.newBuilder().setCreated(false).build();
      }
      return error(Status.FAILED_PRECONDITION, "node '" + c.getNode() + "' holds no replica of shard " + c.getGroup());
    }
    if (shard.getMembershipPending()) {
      // One Raft configuration change at a time per group.
      return error(Status.FAILED_PRECONDITION, "shard " + c.getGroup() + " is changing its members already");
    }
    if (!replacement.isEmpty() && (replicas.contains(replacement) || forgotten.contains(replacement))) {
      return error(Status.FAILED_PRECONDITION, "node '" + replacement + "' cannot join shard " + c.getGroup()
          + " (replicas " + replicas + ")");
    }
    if (replacement.isEmpty() && replicas.size() == 1) {
      return error(Status.FAILED_PRECONDITION, "shard " + c.getGroup() + " would be left without a replica");
    }
    TreeSet<String> next = new TreeSet<>(replicas);
    next.remove(c.getNode());
    if (!replacement.isEmpty()) {
      next.add(replacement);
    }
    ShardDef.Builder out = shard.toBuilder().clearReplicas().addAllReplicas(next)
        .setJoining(replacement).setMembershipPending(true);
    if (shard.getPreferredLeader().equals(c.getNode())) {
      out.setPreferredLeader(replacement.isEmpty() ? next.first() : replacement);
    }
    shards.put(c.getGroup(), out.build());
    return MetaResult.newBuilder().setCreated(true).build();
  }

  private MetaResult membershipSet(MembershipSet c) {
    ShardDef shard = shards.get(c.getGroup());
    if (shard == null) {
      return error(Status.NOT_FOUND, "no shard " + c.getGroup());
    }
    boolean changed = shard.getMembershipPending();
    shards.put(c.getGroup(), shard.toBuilder().setJoining("").setMembershipPending(false).build());
    return MetaResult.newBuilder().setCreated(changed).build();
  }

  /**
   * The given-up part's records are gone from its shard: the queue's count of given-up
   * messages now holds the exact number instead of the estimate made when it was given up.
   */
  private MetaResult clearStalePart(ClearStalePart c) {
    StalePart part = stale.remove(staleKey(c.getQueue(), c.getGroup()));
    if (part == null) {
      return MetaResult.newBuilder().setCreated(false).build();
    }
    QueueDef def = queues.get(c.getQueue());
    if (def != null && !part.getOrphaned()) {
      long exact = Math.max(0, def.getGivenUpMessages() - part.getEstimated()) + c.getMessages();
      queues.put(c.getQueue(), def.toBuilder().setGivenUpMessages(exact).build());
    }
    return MetaResult.newBuilder().setCreated(true).build();
  }

  private static String staleKey(String queue, String group) {
    return queue + '\0' + group;
  }

  private MetaResult userChange(MetaResult result) {
    if (result.getErrorCode() == Status.OK) {
      usersVersion++;
    }
    return result;
  }

  static MetaResult error(int code, String message) {
    return MetaResult.newBuilder().setErrorCode(code).setErrorMessage(message).build();
  }

  /** A queue the group carries (as its head, an old part or a move target), or null when none. */
  public synchronized String queueUsing(String group) {
    for (QueueDef q : queues.values()) {
      if (q.getGroup().equals(group) || q.getMovingTo().equals(group) || q.getOldPartsList().contains(group)) {
        return q.getName();
      }
    }
    return null;
  }

  public synchronized int queueCount() {
    return queues.size();
  }

  public synchronized QueueDef queue(String name) {
    return queues.get(name);
  }

  public synchronized List<QueueDef> queues() {
    return new ArrayList<>(queues.values());
  }

  /** The policies, sorted by name. */
  public synchronized List<PolicyDef> policies() {
    return new ArrayList<>(policies.values());
  }

  public synchronized PolicyDef policy(String name) {
    return policies.get(name);
  }

  /** Changes whenever {@link #policies()} may have changed; read it before the policies. */
  public synchronized long policiesVersion() {
    return policiesVersion;
  }

  /** The users, sorted by name. */
  public synchronized List<UserDef> users() {
    return users.list();
  }

  /** Whether there is any user, without copying them (asked on calls that carry no password). */
  public synchronized boolean hasUsers() {
    return users.count() > 0;
  }

  /** The user (name, password hash, tags, credential generation), or null when there is none. */
  public synchronized UserDef user(String name) {
    return users.get(name);
  }

  /** The user's permissions, patterns compiled; null when it has none (it is granted nothing). */
  public synchronized UserPermissions permissions(String user) {
    return users.permissions(user);
  }

  /** Every user's permissions, sorted by user. */
  public synchronized List<PermissionDef> permissions() {
    return users.permissionDefs();
  }

  /** Changes whenever {@link #users()} or a user's permissions may have changed; read it first. */
  public synchronized long usersVersion() {
    return usersVersion;
  }

  public synchronized List<ShardDef> shards() {
    return new ArrayList<>(shards.values());
  }

  public synchronized ShardDef shard(String group) {
    return shards.get(group);
  }

  public synchronized boolean wasRemoved(String group) {
    return removed.contains(group);
  }

  /** Queues bound to each shard; shards without queues are present with 0. */
  public synchronized Map<String, Integer> queueCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    shards.keySet().forEach(g -> counts.put(g, 0));
    queues.values().forEach(q -> counts.merge(q.getGroup(), 1, Integer::sum));
    return counts;
  }

  /** Given-up parts whose records are still to be deleted from their shards. */
  public synchronized List<StalePart> staleParts() {
    return new ArrayList<>(stale.values());
  }

  /** Shards that still keep records of the queue from a part it gave up: never placed in again. */
  public synchronized Set<String> staleGroups(String queue) {
    Set<String> out = new TreeSet<>();
    for (StalePart p : stale.values()) {
      if (p.getQueue().equals(queue)) {
        out.add(p.getGroup());
      }
    }
    return out;
  }

  /** The first secret wins: every replica keeps the one that committed first. */
  private MetaResult setClusterSecret(io.qraft.api.log.v1.SetClusterSecret c) {
    if (clusterSecret.isEmpty()) {
      clusterSecret = c.getSecret();
    }
    return MetaResult.getDefaultInstance();
  }

  /** The nodes' shared secret, empty until the first user was added. */
  public synchronized com.google.protobuf.ByteString clusterSecret() {
    return clusterSecret;
  }

  /** Nodes forgotten with forget_node, sorted. */
  public synchronized Set<String> forgotten() {
    return new TreeSet<>(forgotten);
  }

  public synchronized boolean wasForgotten(String node) {
    return forgotten.contains(node);
  }

  public synchronized MetaState export() {
    MetaState.Builder state = MetaState.newBuilder().addAllShards(shards.values()).addAllQueues(queues.values())
        .addAllRemovedGroups(removed).addAllPolicies(policies.values()).addAllForgottenNodes(forgotten)
        .addAllStaleParts(stale.values()).setClusterSecret(clusterSecret);
    users.exportTo(state);
    return state.build();
  }

  public synchronized void load(MetaState state) {
    shards.clear();
    queues.clear();
    removed.clear();
    policies.clear();
    forgotten.clear();
    stale.clear();
    policiesVersion++;
    state.getPoliciesList().forEach(p -> policies.put(p.getName(), p));
    state.getShardsList().forEach(s -> shards.put(s.getGroup(), s));
    state.getQueuesList().forEach(q -> queues.put(q.getName(), q));
    removed.addAll(state.getRemovedGroupsList());
    forgotten.addAll(state.getForgottenNodesList());
    state.getStalePartsList().forEach(p -> stale.put(staleKey(p.getQueue(), p.getGroup()), p));
    users.load(state);
    clusterSecret = state.getClusterSecret();
    usersVersion++;
    lastIndex = users.highestGeneration();
  }
}
