package io.qraft.log;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.util.ProtoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices within a fraction of a second that a group's leader process is gone, and has one
 * follower stand for election at once instead of waiting out the election timeout.
 *
 * <p>Raft followers learn that their leader is gone only from its silence: Ratis checks once per
 * random election timeout whether it heard from the leader within that time, so a crashed
 * leader is replaced one to two timeouts after its last heartbeat. A leader whose process is
 * gone can be told apart from one that is slow, paused or cut off: its Raft port refuses
 * connections (the kernel answers a connect to a port nobody listens on at once, while a
 * paused or overloaded process and a network partition leave the connect hanging or let it
 * succeed). Only the refusal acts here; everything else is left to the timeout and pre-vote.
 *
 * <p>Every {@link #probeIntervalMs} this node connects to the Raft port of each peer that leads
 * a group it follows and has sent it nothing for that long. On a refusal, one follower of
 * that group stands: the one whose log ends furthest on, which each follower learns by
 * asking the others with a pre-vote request (it changes nothing, and its reply says how far
 * the voter's log goes), ties to the first by node id. Only one stands, because two
 * candidates in one term split the vote, and a candidate whose log is behind loses and makes
 * everyone wait for the timeout. A chosen follower whose state machine is far behind its log
 * (just restarted, still replaying) asks an equal peer to stand in its place instead, since a
 * leader serves only once it has applied its log. It asks its own Raft server to start an election in the
 * form Ratis uses for a leadership transfer (a StartLeaderElection request on behalf of the
 * leader it knew, carrying its own last entry), which Ratis accepts only while that leader is
 * still the one it recognises and this replica's log is not behind it. The election skips
 * pre-vote and asks for votes at the next term; a voter still grants a vote only to a
 * candidate whose log is at least as up to date as its own, so Raft's safety is untouched:
 * only when an election starts changes. A candidate that is behind loses, and
 * the usual timeout elects another.
 */
final class LeaderLossWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderLossWatch.class);

  /**
   * A replica with more entries than this still to apply lets an equal peer stand. A leader
   * serves only once it has applied its whole log, and a node restarted a few seconds ago is
   * still replaying its log from the last snapshot: in a failover run, one such node won the
   * election (ties go to the first id) with 1,231 entries to apply and served 1.7 s later,
   * where a caught-up peer serves within ~100 ms. A caught-up follower is a few entries behind.
   */
  static final long APPLY_BACKLOG_LIMIT = 64;

  private final ReplicatedLog log;
  private final long probeIntervalMs;
  private final int connectTimeoutMs;
  private final long retryAfterMs;
  /** Per group: when this node last stood for election because of a refusal. */
  private final Map<RaftGroupId, Long> stoodAtMs = new HashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-leader-watch");
    t.setDaemon(true);
    return t;
  });
  private final java.util.concurrent.atomic.AtomicLong elections = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  LeaderLossWatch(ReplicatedLog log) {
    this.log = log;
    long min = log.settings().electionTimeoutMin().toMillis();
    // A tenth of the election timeout: detection well inside what the timeout would take.
    this.probeIntervalMs = Math.max(20, min / 10);
    this.connectTimeoutMs = (int) Math.max(50, min / 4);
    this.retryAfterMs = log.settings().electionTimeoutMax().toMillis();
  }

  void start() {
    timer.scheduleWithFixedDelay(this::tick, probeIntervalMs, probeIntervalMs, TimeUnit.MILLISECONDS);
  }

  /** Elections this node started, and Ratis accepted, because a leader's port refused connections. */
  long elections() {
    return elections.get();
  }

  private void tick() {
    if (closed) {
      return;
    }
    // One probe per peer per tick, however many groups it leads.
    Map<String, Boolean> refusing = new HashMap<>();
    Predicate<RaftPeer> refuses = p -> refusing.computeIfAbsent(p.getId().toString(),
        k -> refusesConnections(p.getAddress(), connectTimeoutMs));
    RaftServer server = log.server();
    try {
      for (RaftGroupId group : server.getGroupIds()) {
        RaftServer.Division d = log.division(group).orElse(null);
        if (d == null || !d.getInfo().isFollower()) {
          continue;
        }
        RaftPeerId leader = d.getInfo().getLeaderId();
        if (leader == null || leader.equals(server.getId()) || !leaderQuiet(d)) {
          continue;
        }
        List<RaftPeer> voters = new ArrayList<>(d.getRaftConf().getCurrentPeers());
        RaftPeer leaderPeer = voters.stream().filter(p -> p.getId().equals(leader)).findFirst().orElse(null);
        if (leaderPeer == null || !refuses.test(leaderPeer)) {
          continue;
        }
        long now = System.currentTimeMillis();
        Long stood = stoodAtMs.get(group);
        if (stood != null && now - stood < retryAfterMs) {
          continue;
        }
        Map<String, TermIndex> lastEntries = lastEntries(d, group, voters, leader, refuses);
        String candidate = candidate(lastEntries);
        stoodAtMs.put(group, now);
        String self = server.getId().toString();
        if (!self.equals(candidate)) {
          LOG.info("group {}: leader {} is gone (its Raft port refuses connections); {} has the newest log and stands",
              GroupIds.text(group), leader, candidate);
          continue;
        }
        long backlog = applyBacklog(d);
        String standIn = backlog > APPLY_BACKLOG_LIMIT ? standIn(lastEntries, self) : null;
        if (standIn == null || !askToStand(group, leader, standIn, lastEntries.get(standIn), backlog)) {
          stand(d, group, leader);
        }
      }
    } catch (RuntimeException | IOException e) {
      LOG.debug("leader watch pass failed: {}", e.toString());
    }
  }

  /**
   * True when the leader has sent this follower nothing for a probe interval. Under load
   * entries arrive every few milliseconds, so a live leader is never probed; each probe is a
   * connection the leader's Raft server accepts and sets up a gRPC transport for, which is
   * CPU taken from the log. A dead leader goes quiet at once, so detection waits at most one
   * more interval.
   */
  private boolean leaderQuiet(RaftServer.Division d) {
    org.apache.ratis.proto.RaftProtos.RoleInfoProto role = d.getInfo().getRoleInfoProto();
    return !role.hasFollowerInfo()
        || role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() >= probeIntervalMs;
  }

  /**
   * The last log entry of every voter that can stand: this node's own, and each other
   * follower's as it answers a pre-vote request (which changes nothing on the follower, and
   * whose reply carries its last entry whether or not it would vote). Peers whose port refuses
   * or that do not answer are left out.
   */
  private Map<String, TermIndex> lastEntries(RaftServer.Division d, RaftGroupId group, List<RaftPeer> voters,
      RaftPeerId leader, Predicate<RaftPeer> refuses) {
    RaftServer server = log.server();
    Map<String, TermIndex> out = new HashMap<>();
    TermIndex last = d.getRaftLog().getLastEntryTermIndex();
    TermIndex own = last == null ? TermIndex.valueOf(0, -1) : last;
    out.put(server.getId().toString(), own);
    for (RaftPeer p : voters) {
      if (p.getId().equals(leader) || p.getId().equals(server.getId()) || refuses.test(p)) {
        continue;
      }
      try {
        RequestVoteReplyProto reply = server.getServerRpc().requestVote(RequestVoteRequestProto.newBuilder()
            .setServerRequest(RaftRpcRequestProto.newBuilder()
                .setRequestorId(server.getId().toByteString())
                .setReplyId(p.getId().toByteString())
                .setRaftGroupId(ProtoUtils.toRaftGroupIdProtoBuilder(group)))
            .setCandidateTerm(d.getInfo().getCurrentTerm() + 1)
            .setCandidateLastEntry(own.toProto())
            .setPreVote(true)
            .build());
        if (reply.hasLastEntry()) {
          out.put(p.getId().toString(), TermIndex.valueOf(reply.getLastEntry()));
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("group {}: {} did not say how far its log goes: {}", GroupIds.text(group), p.getId(), e.toString());
      }
    }
    return out;
  }

  /**
   * The voter that stands when the leader is gone: the one whose log ends furthest on (the only
   * one that can win: voters refuse a candidate whose log is behind theirs), ties to the first
   * by node id. Every follower computes the same, since no new entries reach a leaderless group.
   */
  static String candidate(Map<String, TermIndex> lastEntries) {
    return lastEntries.entrySet().stream()
        .max(java.util.Comparator.<Map.Entry<String, TermIndex>, TermIndex>comparing(Map.Entry::getValue)
            .thenComparing(Map.Entry::getKey, java.util.Comparator.reverseOrder()))
        .map(Map.Entry::getKey).orElse(null);
  }

  /** Entries of its own log this replica has not applied yet. */
  private static long applyBacklog(RaftServer.Division d) {
    TermIndex last = d.getRaftLog().getLastEntryTermIndex();
    long applied = AppliedIndex.of(d);
    return last == null || applied == AppliedIndex.STARTING ? 0 : Math.max(0, last.getIndex() - applied);
  }

  /**
   * Another voter whose log ends exactly where the candidate's does (so it can win the same
   * votes), first by node id; null when there is none. Asked to stand when the candidate's
   * state machine is far behind its log.
   */
  static String standIn(Map<String, TermIndex> lastEntries, String candidate) {
    TermIndex own = lastEntries.get(candidate);
    return lastEntries.entrySet().stream()
        .filter(e -> !e.getKey().equals(candidate) && e.getValue().equals(own))
        .map(Map.Entry::getKey).sorted().findFirst().orElse(null);
  }

  /**
   * Asks the peer to stand in this node's place, with the request Ratis's own server would
   * receive for a leadership transfer from the leader it still recognises. False when the peer
   * did not start an election, and this node stands itself.
   */
  private boolean askToStand(RaftGroupId group, RaftPeerId leader, String peer, TermIndex peerLast, long backlog) {
    RaftRpcRequestProto rpc = RaftRpcRequestProto.newBuilder()
        .setRequestorId(leader.toByteString())
        .setReplyId(RaftPeerId.valueOf(peer).toByteString())
        .setRaftGroupId(ProtoUtils.toRaftGroupIdProtoBuilder(group))
        .build();
    try {
      StartLeaderElectionReplyProto reply = log.server().getServerRpc().startLeaderElection(
          StartLeaderElectionRequestProto.newBuilder().setServerRequest(rpc).setLeaderLastEntry(peerLast.toProto()).build());
      boolean started = reply.getServerReply().getSuccess();
      LOG.info("group {}: leader {} is gone (its Raft port refuses connections); this node has {} entries still to apply, "
          + "so {} with the same log stands in its place{}", GroupIds.text(group), leader, backlog, peer,
          started ? "" : " (it refused; this node stands)");
      if (started) {
        elections.incrementAndGet();
      }
      return started;
    } catch (IOException | RuntimeException e) {
      LOG.info("group {}: asking {} to stand failed ({}); this node stands", GroupIds.text(group), peer, e.toString());
      return false;
    }
  }

  private void stand(RaftServer.Division d, RaftGroupId group, RaftPeerId leader) throws IOException {
    TermIndex last = d.getRaftLog().getLastEntryTermIndex();
    if (last == null) {
      return;
    }
    RaftRpcRequestProto rpc = RaftRpcRequestProto.newBuilder()
        .setRequestorId(leader.toByteString())
        .setReplyId(log.server().getId().toByteString())
        .setRaftGroupId(ProtoUtils.toRaftGroupIdProtoBuilder(group))
        .build();
    StartLeaderElectionReplyProto reply = log.server().startLeaderElection(StartLeaderElectionRequestProto.newBuilder()
        .setServerRequest(rpc).setLeaderLastEntry(last.toProto()).build());
    boolean started = reply.getServerReply().getSuccess();
    if (started) {
      elections.incrementAndGet();
    }
    LOG.info("group {}: leader {} is gone (its Raft port refuses connections); {}", GroupIds.text(group), leader,
        started ? "standing for election now" : "not standing (Ratis refused: another leader or a log behind)");
  }

  /** True only when the port at host:port actively refuses: no process listens there. */
  static boolean refusesConnections(String address, int connectTimeoutMs) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    if (colon < 0) {
      return false;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
          connectTimeoutMs);
      return false;
    } catch (ConnectException e) {
      // Also thrown for an OS-level connect timeout, which says nothing about the process.
      return String.valueOf(e.getMessage()).contains("refused");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
  }
}
