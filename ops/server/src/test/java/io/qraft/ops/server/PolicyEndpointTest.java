package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClearPolicyRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.ListPoliciesRequest;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.QueueInfo;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SetPolicyResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The policy calls of the admin API on a one-node cluster in this JVM, over gRPC. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PolicyEndpointTest extends OnOneNode {

  private AdminServiceGrpc.AdminServiceBlockingStub admin() {
    return server.admin();
  }

  private static SetPolicyRequest policy(String name, String pattern, String definition) {
    return SetPolicyRequest.newBuilder().setName(name).setPattern(pattern).setDefinition(definition).build();
  }

  private static <T> T whenReady(Supplier<T> call) throws InterruptedException {
    return OneNodeServer.whenReady(call);
  }

  private QueueInfo queue(String name) {
    return admin().listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesList().stream()
        .filter(q -> q.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aBadPolicyIsRefusedWithInvalidArgumentAndNothingIsStored() throws Exception {
    whenReady(() -> admin().listPolicies(ListPoliciesRequest.getDefaultInstance()));
    List<SetPolicyRequest> bad = List.of(
        policy("p", ".*", "{not json"),
        policy("p", ".*", "[\"ha-mode\"]"),
        policy("p", "([", "{\"ack-mode\":\"local\"}"),
        policy("p", ".*", "{\"colour\":\"blue\"}"),
        policy("p", ".*", "{\"ha-mode\":\"exactly\",\"ha-params\":\"two\"}"),
        policy("p", ".*", "{\"ha-mode\":\"exactly\"}"),
        policy("p", ".*", "{\"ha-params\":2}"),
        policy("p", ".*", "{\"ha-mode\":\"nodes\",\"ha-params\":[\"x9\"]}"),
        policy("p", ".*", "{\"ack-mode\":\"local\"}").toBuilder().setApplyTo("exchanges").build(),
        policy("", ".*", "{\"ack-mode\":\"local\"}"));

    for (SetPolicyRequest request : bad) {
      assertThatThrownBy(() -> whenReady(() -> admin().setPolicy(request))).as("%s", request)
          .isInstanceOf(StatusRuntimeException.class)
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
              .isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
    assertThat(admin().listPolicies(ListPoliciesRequest.getDefaultInstance()).getPoliciesList()).isEmpty();
  }

  @Test
  void aPolicyChangesTheEffectiveAckModeOfALiveQueueAndClearingItRevertsIt() throws Exception {
    whenReady(() -> server.queues()
        .declareQueue(DeclareQueueRequest.newBuilder().setQueue("important.orders").build()));
    assertThat(queue("important.orders").getAckMode()).isEqualTo("quorum");
    assertThat(queue("important.orders").getPolicy()).isEmpty();

    SetPolicyResponse set = whenReady(() -> admin().setPolicy(policy("fast", "^important\\.",
        "{\"ack-mode\": \"local\", \"batch-size\": \"50\"}").toBuilder().setPriority(3).build()));

    assertThat(set.getCreated()).isTrue();
    assertThat(set.getPolicy().getDefinition()).isEqualTo("{\"ack-mode\":\"local\",\"batch-size\":50}");
    QueueInfo live = queue("important.orders");
    assertThat(live.getPolicy()).isEqualTo("fast");
    assertThat(live.getAckMode()).isEqualTo("local");
    assertThat(live.getEffectiveArgumentsMap()).containsEntry("batch-size", "50");
    assertThat(live.getSynchronisedReplicasList()).isEqualTo(live.getReplicasList()).containsExactly("n1");
    assertThat(admin().listPolicies(ListPoliciesRequest.getDefaultInstance()).getPoliciesList())
        .singleElement().satisfies(p -> {
          assertThat(p.getName()).isEqualTo("fast");
          assertThat(p.getPriority()).isEqualTo(3);
          assertThat(p.getApplyTo()).isEqualTo("queues");
        });

    admin().clearPolicy(ClearPolicyRequest.newBuilder().setName("fast").build());

    assertThat(queue("important.orders").getAckMode()).isEqualTo("quorum");
    assertThat(queue("important.orders").getPolicy()).isEmpty();
    assertThatThrownBy(() -> admin().clearPolicy(ClearPolicyRequest.newBuilder().setName("fast").build()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.NOT_FOUND));
  }
}
