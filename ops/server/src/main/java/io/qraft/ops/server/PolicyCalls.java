package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.Policy;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClearPolicyRequest;
import io.qraft.api.v1.ClearPolicyResponse;
import io.qraft.api.v1.ListPoliciesRequest;
import io.qraft.api.v1.ListPoliciesResponse;
import io.qraft.api.v1.PolicyInfo;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SetPolicyResponse;
import io.qraft.api.DefinitionJson;

/**
 * set_policy, clear_policy and list_policies. A policy is checked here in full before it is
 * submitted (sizes, bad JSON, an unknown key, a bad value or pattern are refused with
 * INVALID_ARGUMENT and nothing is stored); setting and clearing run on the metadata leader.
 * Thread-safe.
 */
final class PolicyCalls {
  private final AdminContext ctx;

  PolicyCalls(AdminContext ctx) {
    this.ctx = ctx;
  }

  void setPolicy(SetPolicyRequest request, StreamObserver<SetPolicyResponse> response) {
    if (Errors.refused(ctx.limits().setPolicyProblem(request), response)) {
      return;
    }
    Policy policy;
    try {
      String applyTo = request.getApplyTo().isEmpty() ? Policy.APPLY_TO_QUEUES : request.getApplyTo();
      policy = new Policy(request.getName(), request.getPattern(), applyTo, request.getPriority(),
          DefinitionJson.parse(request.getDefinition()));
    } catch (IllegalArgumentException e) {
      response.onError(Errors.invalid(e.getMessage()));
      return;
    }
    ctx.metadataLeader().run(AdminServiceGrpc.getSetPolicyMethod(), request, response, () -> {
      boolean created = ctx.log().policies().set(policy);
      return SetPolicyResponse.newBuilder().setPolicy(info(policy)).setCreated(created).build();
    });
  }

  void clearPolicy(ClearPolicyRequest request, StreamObserver<ClearPolicyResponse> response) {
    if (request.getName().isBlank()) {
      response.onError(Errors.invalid("give the name of the policy to clear"));
      return;
    }
    if (Errors.refused(ctx.limits().clearPolicyProblem(request.getName()), response)) {
      return;
    }
    ctx.metadataLeader().run(AdminServiceGrpc.getClearPolicyMethod(), request, response, () -> {
      ctx.log().policies().clear(request.getName());
      return ClearPolicyResponse.getDefaultInstance();
    });
  }

  void listPolicies(ListPoliciesRequest request, StreamObserver<ListPoliciesResponse> response) {
    try {
      ListPoliciesResponse.Builder out = ListPoliciesResponse.newBuilder();
      ctx.log().policies().list().forEach(p -> out.addPolicies(info(p)));
      response.onNext(out.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      ctx.fail(response, e);
    }
  }

  private static PolicyInfo info(Policy policy) {
    return PolicyInfo.newBuilder().setName(policy.name()).setPattern(policy.pattern()).setApplyTo(policy.applyTo())
        .setPriority(policy.priority()).setDefinition(DefinitionJson.text(policy.definition())).build();
  }
}
