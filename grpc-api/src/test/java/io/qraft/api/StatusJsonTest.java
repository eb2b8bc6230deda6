package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.api.v1.PolicyInfo;
import io.qraft.api.v1.QueueInfo;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusJsonTest {

  @Test
  void everyFieldUnderItsProtoNameInDeclarationOrderDefaultsIncluded() {
    Map<String, Object> q = StatusJson.fields(QueueInfo.newBuilder().setName("orders").setMessages(42)
        .addReplicas("n1").addReplicas("n2").putArguments("b", "2").putArguments("a", "1").build());

    assertThat(q.keySet()).containsExactly("name", "arguments", "leader", "replicas", "messages",
        "messages_unacked", "bytes", "group", "consumers", "policy", "effective_arguments", "ack_mode",
        "synchronised_replicas", "messages_given_up", "messages_expired", "dead_lettered", "dropped",
        "publishes_rejected", "deliveries_timed_out", "dead_letter_resends");
    assertThat(q).containsEntry("name", "orders").containsEntry("messages", 42L).containsEntry("leader", "")
        .containsEntry("consumers", 0L).containsEntry("replicas", List.of("n1", "n2"));
    assertThat((Map<String, Object>) q.get("arguments")).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }

  @Test
  void countsByReasonAreMapsOfNumbersSortedByReason() {
    Map<String, Object> q = StatusJson.fields(QueueInfo.newBuilder().putDeadLettered("maxlen", 3)
        .putDeadLettered("expired", -1L).build());

    assertThat((Map<String, Object>) q.get("dead_lettered")).containsExactly(
        Map.entry("expired", new BigInteger("18446744073709551615")), Map.entry("maxlen", 3L));
    assertThat((Map<String, Object>) q.get("dropped")).isEmpty();
  }

  @Test
  void unsignedNumbersReadAsUnsignedAndStayJsonNumbers() throws Exception {
    NodeStatusResponse n = NodeStatusResponse.newBuilder().setNode("n1").setGroups(-1).setResidentBytes(-1)
        .setHeapUsedBytes(300_000_000L).build();

    Map<String, Object> fields = StatusJson.fields(n);
    assertThat(fields).containsEntry("groups", 4_294_967_295L)
        .containsEntry("resident_bytes", new BigInteger("18446744073709551615"))
        .containsEntry("heap_used_bytes", 300_000_000L);
    JsonNode json = new ObjectMapper().valueToTree(fields);
    assertThat(json.get("heap_used_bytes").isNumber()).isTrue();
    assertThat(json.get("resident_bytes").toString()).isEqualTo("18446744073709551615");
  }

  @Test
  void nestedMessagesAreMapsAndAPolicyDefinitionAJsonObject() {
    ClusterStatusResponse status = ClusterStatusResponse.newBuilder().setNode("n1")
        .addNodes(NodeStatusResponse.newBuilder().setNode("n2")
            .addLocalGroups(GroupStatus.newBuilder().setGroup("g1").setTerm(4)))
        .build();
    List<?> nodes = (List<?>) StatusJson.fields(status).get("nodes");
    Map<?, ?> node = (Map<?, ?>) nodes.get(0);
    Map<?, ?> group = (Map<?, ?>) ((List<?>) node.get("local_groups")).get(0);
    assertThat(group.get("group")).isEqualTo("g1");
    assertThat(group.get("term")).isEqualTo(4L);

    Map<String, Object> policy = StatusJson.fields(PolicyInfo.newBuilder().setName("ha-two")
        .setDefinition("{\"ha-mode\":\"exactly\",\"ha-params\":2}").build());
    assertThat(((JsonNode) policy.get("definition")).get("ha-params").asInt()).isEqualTo(2);
    assertThat(StatusJson.fields(PolicyInfo.getDefaultInstance()).get("definition")).isNull();
  }
}
