package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.AuthenticateUserRequest;
import io.qraft.api.v1.AuthenticateUserResponse;
import io.qraft.api.v1.ChangePasswordRequest;
import io.qraft.api.v1.ChangePasswordResponse;
import io.qraft.api.v1.ClearPermissionsRequest;
import io.qraft.api.v1.ClearPermissionsResponse;
import io.qraft.api.v1.DeleteUserRequest;
import io.qraft.api.v1.DeleteUserResponse;
import io.qraft.api.v1.ListPermissionsRequest;
import io.qraft.api.v1.ListPermissionsResponse;
import io.qraft.api.v1.ListUsersRequest;
import io.qraft.api.v1.ListUsersResponse;
import io.qraft.api.v1.PermissionsInfo;
import io.qraft.api.v1.SetPermissionsRequest;
import io.qraft.api.v1.SetUserTagsRequest;
import io.qraft.api.v1.UserInfo;
import io.qraft.api.v1.ClearPolicyRequest;
import io.qraft.api.v1.ClearPolicyResponse;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.ForgetNodeRequest;
import io.qraft.api.v1.ForgetNodeResponse;
import io.qraft.api.v1.ListPoliciesRequest;
import io.qraft.api.v1.ListPoliciesResponse;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.api.v1.RebalanceRequest;
import io.qraft.api.v1.RebalanceResponse;
import io.qraft.api.v1.ReplicaChangeRequest;
import io.qraft.api.v1.ReplicaChangeResponse;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SetPolicyResponse;
import io.qraft.api.v1.StopNodeRequest;
import io.qraft.api.v1.StopNodeResponse;
import io.qraft.api.v1.SyncQueueRequest;
import io.qraft.api.v1.SyncQueueResponse;
import io.qraft.api.v1.TransferLeaderRequest;
import io.qraft.api.v1.TransferLeaderResponse;
import io.qraft.log.ReplicatedLog;

/**
 * The admin API of a node, one gRPC service whose calls are answered by one class per concern:
 * status ({@link StatusCalls}), policies ({@link PolicyCalls}), leadership
 * ({@link LeadershipCalls}), membership ({@link MembershipCalls}) and users
 * ({@link UserCalls}). Calls that wait for a
 * change to take effect do so without holding a gRPC thread ({@link QueueWaits}). Thread-safe.
 */
final class AdminEndpoint extends AdminServiceGrpc.AdminServiceImplBase {
  private final StatusCalls status;
  private final PolicyCalls policies;
  private final LeadershipCalls leadership;
  private final MembershipCalls membership;
  private final UserCalls users;

  /** @param exit stops this node's process cleanly (the path SIGTERM takes) */
  AdminEndpoint(ReplicatedLog log, Forwarder forwarder, QueueDescriber describer, NodeStatusProbe probe,
      ClusterStatuses statuses, RequestLimits limits, Runnable exit) {
    AdminContext ctx = new AdminContext(log, forwarder, new OnMetadataLeader(forwarder), describer, probe, statuses,
        limits, exit);
    this.status = new StatusCalls(ctx);
    this.policies = new PolicyCalls(ctx);
    this.leadership = new LeadershipCalls(ctx);
    this.membership = new MembershipCalls(ctx);
    this.users = new UserCalls(ctx);
  }

  @Override
  public void addUser(AddUserRequest request, StreamObserver<UserInfo> response) {
    users.addUser(request, response);
  }

  @Override
  public void deleteUser(DeleteUserRequest request, StreamObserver<DeleteUserResponse> response) {
    users.deleteUser(request, response);
  }

  @Override
  public void changePassword(ChangePasswordRequest request, StreamObserver<ChangePasswordResponse> response) {
    users.changePassword(request, response);
  }

  @Override
  public void setUserTags(SetUserTagsRequest request, StreamObserver<UserInfo> response) {
    users.setUserTags(request, response);
  }

  @Override
  public void listUsers(ListUsersRequest request, StreamObserver<ListUsersResponse> response) {
    users.listUsers(request, response);
  }

  @Override
  public void authenticateUser(AuthenticateUserRequest request, StreamObserver<AuthenticateUserResponse> response) {
    users.authenticateUser(request, response);
  }

  @Override
  public void setPermissions(SetPermissionsRequest request, StreamObserver<PermissionsInfo> response) {
    users.setPermissions(request, response);
  }

  @Override
  public void clearPermissions(ClearPermissionsRequest request, StreamObserver<ClearPermissionsResponse> response) {
    users.clearPermissions(request, response);
  }

  @Override
  public void listPermissions(ListPermissionsRequest request, StreamObserver<ListPermissionsResponse> response) {
    users.listPermissions(request, response);
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> response) {
    status.nodeStatus(request, response);
  }

  @Override
  public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> response) {
    status.clusterStatus(request, response);
  }

  @Override
  public void listQueues(ListQueuesRequest request, StreamObserver<ListQueuesResponse> response) {
    status.listQueues(request, response);
  }

  @Override
  public void setPolicy(SetPolicyRequest request, StreamObserver<SetPolicyResponse> response) {
    policies.setPolicy(request, response);
  }

  @Override
  public void clearPolicy(ClearPolicyRequest request, StreamObserver<ClearPolicyResponse> response) {
    policies.clearPolicy(request, response);
  }

  @Override
  public void listPolicies(ListPoliciesRequest request, StreamObserver<ListPoliciesResponse> response) {
    policies.listPolicies(request, response);
  }

  @Override
  public void transferLeader(TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> response) {
    leadership.transferLeader(request, response);
  }

  @Override
  public void rebalance(RebalanceRequest request, StreamObserver<RebalanceResponse> response) {
    leadership.rebalance(request, response);
  }

  @Override
  public void stopNode(StopNodeRequest request, StreamObserver<StopNodeResponse> response) {
    leadership.stopNode(request, response);
  }

  @Override
  public void forgetNode(ForgetNodeRequest request, StreamObserver<ForgetNodeResponse> response) {
    membership.forgetNode(request, response);
  }

  @Override
  public void addReplica(ReplicaChangeRequest request, StreamObserver<ReplicaChangeResponse> response) {
    membership.addReplica(request, response);
  }

  @Override
  public void deleteReplica(ReplicaChangeRequest request, StreamObserver<ReplicaChangeResponse> response) {
    membership.deleteReplica(request, response);
  }

  @Override
  public void syncQueue(SyncQueueRequest request, StreamObserver<SyncQueueResponse> response) {
    membership.syncQueue(request, response);
  }

  @Override
  public void cancelSyncQueue(SyncQueueRequest request, StreamObserver<SyncQueueResponse> response) {
    membership.cancelSyncQueue(request, response);
  }
}
