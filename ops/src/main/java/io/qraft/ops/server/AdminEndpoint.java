package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.Policy;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClearPolicyRequest;
import io.qraft.api.v1.ClearPolicyResponse;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.ListPoliciesRequest;
import io.qraft.api.v1.ListPoliciesResponse;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.api.v1.PolicyInfo;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SetPolicyResponse;
import io.qraft.log.GroupIds;
import io.qraft.log.NodeAddress;
import io.qraft.log.ReplicatedLog;
import io.qraft.ops.policy.DefinitionJson;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The admin API of a node: cluster status (gathered from every node), queue listings, and
 * policies. A policy is checked here in full before it is submitted (bad JSON, an unknown key,
 * a bad value or pattern are refused with INVALID_ARGUMENT and nothing is stored); setting and
 * clearing run on the metadata leader.
 */
final class AdminEndpoint extends AdminServiceGrpc.AdminServiceImplBase {
  private static final long NODE_STATUS_TIMEOUT_MS = 2000;

  private final ReplicatedLog log;
  private final Forwarder forwarder;
  private final OnMetadataLeader metadataLeader;
  private final QueueDescriber describer;
  private final NodeStatusProbe probe;

  AdminEndpoint(ReplicatedLog log, Forwarder forwarder, QueueDescriber describer, NodeStatusProbe probe) {
    this.log = log;
    this.forwarder = forwarder;
    this.metadataLeader = new OnMetadataLeader(forwarder);
    this.describer = describer;
    this.probe = probe;
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> response) {
    response.onNext(probe.status(request.getChecksums()));
    response.onCompleted();
  }

  @Override
  public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> response) {
    try {
      ClusterStatusResponse.Builder out = ClusterStatusResponse.newBuilder().setNode(log.settings().nodeId());
      for (NodeAddress m : log.settings().members()) {
        out.addNodes(statusOf(m));
      }
      Map<String, Integer> queueCounts = log.metadata().queueCounts();
      out.addGroups(GroupStatus.newBuilder().setGroup(GroupIds.text(GroupIds.METADATA)).setKind("metadata")
          .setLeader(nullToEmpty(log.leaderOf(GroupIds.METADATA)))
          .addAllReplicas(log.settings().members().stream().map(NodeAddress::id).toList()));
      for (ShardDef shard : log.metadata().shards()) {
        out.addGroups(GroupStatus.newBuilder().setGroup(shard.getGroup())
            .setKind(shard.getDedicated() ? "dedicated" : "shard")
            .setLeader(nullToEmpty(log.leaderOf(GroupIds.parse(shard.getGroup()))))
            .addAllReplicas(shard.getReplicasList())
            .setQueues(queueCounts.getOrDefault(shard.getGroup(), 0)));
      }
      response.onNext(out.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }

  private NodeStatusResponse statusOf(NodeAddress m) {
    if (m.id().equals(log.settings().nodeId())) {
      return probe.status();
    }
    try {
      return AdminServiceGrpc.newBlockingStub(forwarder.channel(m.id()))
          .withDeadlineAfter(NODE_STATUS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .nodeStatus(NodeStatusRequest.getDefaultInstance());
    } catch (RuntimeException e) {
      return NodeStatusResponse.newBuilder().setNode(m.id()).setGrpcAddress(m.grpcAddress())
          .setRaftAddress(m.raftAddress()).setRunning(false).build();
    }
  }

  @Override
  public void listQueues(ListQueuesRequest request, StreamObserver<ListQueuesResponse> response) {
    try {
      ListQueuesResponse.Builder out = ListQueuesResponse.newBuilder();
      for (QueueDef def : log.metadata().queues()) {
        out.addQueues(describer.describe(def));
      }
      response.onNext(out.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }

  @Override
  public void setPolicy(SetPolicyRequest request, StreamObserver<SetPolicyResponse> response) {
    Policy policy;
    try {
      String applyTo = request.getApplyTo().isEmpty() ? Policy.APPLY_TO_QUEUES : request.getApplyTo();
      policy = new Policy(request.getName(), request.getPattern(), applyTo, request.getPriority(),
          DefinitionJson.parse(request.getDefinition()));
    } catch (IllegalArgumentException e) {
      response.onError(Errors.invalid(e.getMessage()));
      return;
    }
    metadataLeader.run(AdminServiceGrpc.getSetPolicyMethod(), request, response, () -> {
      boolean created = log.policies().set(policy);
      return SetPolicyResponse.newBuilder().setPolicy(info(policy)).setCreated(created).build();
    });
  }

  @Override
  public void clearPolicy(ClearPolicyRequest request, StreamObserver<ClearPolicyResponse> response) {
    if (request.getName().isBlank()) {
      response.onError(Errors.invalid("give the name of the policy to clear"));
      return;
    }
    metadataLeader.run(AdminServiceGrpc.getClearPolicyMethod(), request, response, () -> {
      log.policies().clear(request.getName());
      return ClearPolicyResponse.getDefaultInstance();
    });
  }

  @Override
  public void listPolicies(ListPoliciesRequest request, StreamObserver<ListPoliciesResponse> response) {
    try {
      ListPoliciesResponse.Builder out = ListPoliciesResponse.newBuilder();
      log.policies().list().forEach(p -> out.addPolicies(info(p)));
      response.onNext(out.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }

  private static PolicyInfo info(Policy policy) {
    return PolicyInfo.newBuilder().setName(policy.name()).setPattern(policy.pattern()).setApplyTo(policy.applyTo())
        .setPriority(policy.priority()).setDefinition(DefinitionJson.text(policy.definition())).build();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
