package io.qraft.ops.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.qraft.api.HostPort;
import io.qraft.api.v1.ClearPolicyRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeclareQueueResponse;
import io.qraft.api.v1.DeleteQueueResponse;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.GetResponse;
import io.qraft.api.v1.ListPoliciesResponse;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.api.v1.PolicyInfo;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.api.v1.PurgeQueueResponse;
import io.qraft.api.v1.QueueInfo;
import io.qraft.api.v1.QueueMove;
import io.qraft.api.v1.RebalanceResponse;
import io.qraft.api.v1.LeaderMove;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SetPolicyResponse;
import io.qraft.client.BasicCredentials;
import io.qraft.client.FakeNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qraftctl against fake nodes: what each command sends, what it prints, where it goes. */
class QraftCtlCommandsTest {

    private final List<FakeNode> nodes = new ArrayList<>();

    private FakeNode node() throws Exception {
        FakeNode node = new FakeNode();
        nodes.add(node);
        return node;
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(FakeNode::close);
    }

    private static CtlRun ctl(String... args) {
        return CtlRun.run(FakeNode::channel, args);
    }

    @Test
    void theUserAndThePasswordFileGoWithEveryCall(@TempDir Path dir) throws Exception {
        FakeNode node = node();
        Path file = Files.writeString(dir.resolve("password"), "pässword\n");

        CtlRun run = ctl("--node", node.address.toString(), "--user", "alice", "--password-file", file.toString(),
            "publish", "q", "--count", "2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(node.authorizations()).isNotEmpty()
            .containsOnly(BasicCredentials.headerValue("alice", "pässword"));
        assertThat(run.out() + run.err()).doesNotContain("pässword");
    }

    @Test
    void theEnvironmentGivesTheCredentialsAndTheOptionsOverrideIt(@TempDir Path dir) throws Exception {
        FakeNode fromEnvironment = node();
        FakeNode fromOptions = node();
        Path file = Files.writeString(dir.resolve("password"), "from-file");
        Map<String, String> environment = Map.of("QRAFT_USER", "bob", "QRAFT_PASSWORD", "from-env");

        CtlRun first = CtlRun.run(environment, FakeNode::channel,
            "--node", fromEnvironment.address.toString(), "list_queues");
        CtlRun second = CtlRun.run(environment, FakeNode::channel,
            "--node", fromOptions.address.toString(), "list_queues", "--user", "alice", "--password-file", file.toString());

        assertThat(List.of(first, second)).allSatisfy(run -> assertThat(run.exitCode()).as(run.err()).isZero());
        assertThat(fromEnvironment.authorizations()).containsExactly(BasicCredentials.headerValue("bob", "from-env"));
        assertThat(fromOptions.authorizations()).containsExactly(BasicCredentials.headerValue("alice", "from-file"));
    }

    @Test
    void withoutAUserNoCredentialsAreSent() throws Exception {
        FakeNode node = node();

        CtlRun run = CtlRun.run(Map.of("QRAFT_PASSWORD", "ignored"), FakeNode::channel,
            "--node", node.address.toString(), "list_queues");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(node.authorizations()).containsExactly((String) null);
    }

    private static JsonNode json(CtlRun run) throws Exception {
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        return new ObjectMapper().readTree(run.out());
    }

    private static final QueueInfo ORDERS = QueueInfo.newBuilder()
        .setName("orders").setLeader("n2").addReplicas("n1").addReplicas("n2").addReplicas("n3")
        .setMessages(42).setMessagesUnacked(3).setBytes(4200).setGroup("shard-1").setConsumers(2)
        .putArguments("ack-mode", "quorum").build();

    @Test
    void listQueuesInJsonIsAnArrayOfObjectsWithTheDefaultColumns() throws Exception {
        FakeNode node = node().answer("ListQueues", r -> ListQueuesResponse.newBuilder().addQueues(ORDERS).build());

        JsonNode queues = json(ctl("--node", node.address.toString(), "--format", "json", "list_queues"));

        assertThat(queues).hasSize(1);
        JsonNode orders = queues.get(0);
        assertThat(orders.fieldNames()).toIterable()
            .containsExactly("name", "leader", "replicas", "messages", "messages_unacked");
        assertThat(orders.get("leader").asText()).isEqualTo("n2");
        assertThat(orders.get("replicas").isArray()).isTrue();
        assertThat(orders.get("replicas")).extracting(JsonNode::asText).containsExactly("n1", "n2", "n3");
        assertThat(orders.get("messages").asLong()).isEqualTo(42);
        assertThat(orders.get("messages_unacked").asLong()).isEqualTo(3);
    }

    @Test
    void listQueuesShowsTheColumnsAskedForInTheirOrder() throws Exception {
        FakeNode node = node().answer("ListQueues", r -> ListQueuesResponse.newBuilder().addQueues(ORDERS).build());

        CtlRun run = ctl("list_queues", "group", "name", "consumers", "bytes", "arguments", "--node", node.address.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).containsExactly(
            "group    name    consumers  bytes  arguments",
            "shard-1  orders          2   4200  ack-mode=quorum");
    }

    @Test
    void clusterStatusPrintsOneObjectPerNode() throws Exception {
        FakeNode node = node().answer("ClusterStatus", r -> ClusterStatusResponse.newBuilder().setNode("n1")
            .addNodes(NodeStatusResponse.newBuilder().setNode("n1").setGrpcAddress("127.0.0.1:5691")
                .setRaftAddress("127.0.0.1:6691").setRunning(true).setGroups(4).setGroupsLed(2).setThreads(40)
                .setResidentBytes(300_000_000L))
            .addNodes(NodeStatusResponse.newBuilder().setNode("n2").setGrpcAddress("127.0.0.1:5692")
                .setRaftAddress("127.0.0.1:6692").setRunning(false))
            .build());

        JsonNode status = json(ctl("--node", node.address.toString(), "--format", "json", "cluster_status"));

        assertThat(status).hasSize(2);
        assertThat(status.get(0).fieldNames()).toIterable().containsExactly("node", "grpc_address", "raft_address",
            "running", "groups", "groups_led", "threads", "resident_bytes", "forgotten");
        assertThat(status.get(0).get("running").asBoolean()).isTrue();
        assertThat(status.get(0).get("resident_bytes").asLong()).isEqualTo(300_000_000L);
        assertThat(status.get(1).get("running").asBoolean()).isFalse();
    }

    @Test
    void listGroupsPrintsEachGroupWithItsLeaderReplicasAndTerm() throws Exception {
        FakeNode node = node().answer("ClusterStatus", r -> ClusterStatusResponse.newBuilder().setNode("n1")
            .addGroups(io.qraft.api.v1.GroupStatus.newBuilder().setGroup("meta").setKind("metadata").setLeader("n2")
                .addReplicas("n1").addReplicas("n2").addReplicas("n3").setTerm(4))
            .addGroups(io.qraft.api.v1.GroupStatus.newBuilder().setGroup("g1").setKind("shard").setLeader("n1")
                .addReplicas("n1").addReplicas("n3").setQueues(7).setTerm(2))
            .build());

        JsonNode groups = json(ctl("--node", node.address.toString(), "--format", "json", "list_groups"));

        assertThat(groups).hasSize(2);
        assertThat(groups.get(1).get("group").asText()).isEqualTo("g1");
        assertThat(groups.get(1).get("replicas").toString()).isEqualTo("[\"n1\",\"n3\"]");
        assertThat(groups.get(1).get("queues").asLong()).isEqualTo(7);
        assertThat(groups.get(0).get("term").asLong()).isEqualTo(4);
    }

    @Test
    void declareQueueSendsItsArgumentsAndPrintsOneObject() throws Exception {
        FakeNode node = node().answer("DeclareQueue", (DeclareQueueRequest r) -> DeclareQueueResponse.newBuilder()
            .setCreated(true)
            .setQueue(QueueInfo.newBuilder().setName(r.getQueue()).setLeader("n1").addReplicas("n1")
                .setGroup("g").putAllArguments(r.getArgumentsMap()))
            .build());

        JsonNode declared = json(ctl("--node", node.address.toString(), "--format", "json",
            "declare_queue", "orders", "--argument", "ack-mode=local", "--argument", "queue-log=dedicated"));

        DeclareQueueRequest sent = (DeclareQueueRequest) node.requests.get(0);
        assertThat(sent.getArgumentsMap()).containsEntry("ack-mode", "local").containsEntry("queue-log", "dedicated");
        assertThat(declared.isObject()).isTrue();
        assertThat(declared.get("queue").asText()).isEqualTo("orders");
        assertThat(declared.get("created").asBoolean()).isTrue();
        assertThat(declared.get("arguments").get("queue-log").asText()).isEqualTo("dedicated");
    }

    @Test
    void deleteAndPurgePrintHowManyMessagesWentAway() throws Exception {
        FakeNode node = node()
            .answer("DeleteQueue", r -> DeleteQueueResponse.newBuilder().setMessagesDeleted(7).build())
            .answer("PurgeQueue", r -> PurgeQueueResponse.newBuilder().setMessagesPurged(5).build());

        JsonNode deleted = json(ctl("--node", node.address.toString(), "--format", "json", "delete_queue", "a"));
        CtlRun purged = ctl("--node", node.address.toString(), "purge_queue", "b");

        assertThat(deleted.get("messages_deleted").asLong()).isEqualTo(7);
        assertThat(purged.out().lines()).containsExactly("queue  messages_purged", "b                    5");
    }

    @Test
    void getPrintsEachMessageWithItsBodyAsText() throws Exception {
        FakeNode node = node().answer("Get", (GetRequest r) -> GetResponse.newBuilder()
            .addDeliveries(Delivery.newBuilder().setQueue(r.getQueue())
                .setTag(DeliveryTag.newBuilder().setOffset(10).setDeliveryCount(1))
                .setMessage(Message.newBuilder().setBody(ByteString.copyFromUtf8("h\u00e9llo"))))
            .addDeliveries(Delivery.newBuilder().setQueue(r.getQueue()).setRedelivered(true)
                .setTag(DeliveryTag.newBuilder().setOffset(11).setDeliveryCount(2))
                .setMessage(Message.newBuilder().setBody(ByteString.copyFromUtf8("again"))))
            .build());

        JsonNode messages = json(ctl("--node", node.address.toString(), "--format", "json",
            "get", "orders", "--count", "2", "--ack"));

        GetRequest sent = (GetRequest) node.requests.get(0);
        assertThat(sent.getCount()).isEqualTo(2);
        assertThat(sent.getAck()).isTrue();
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).fieldNames()).toIterable()
            .containsExactly("offset", "body", "redelivered", "delivery_count");
        assertThat(messages.get(0).get("body").asText()).isEqualTo("h\u00e9llo");
        assertThat(messages.get(1).get("redelivered").asBoolean()).isTrue();
        assertThat(messages.get(1).get("delivery_count").asInt()).isEqualTo(2);
    }

    @Test
    void publishSendsEachMessageOnceWithConfirmsAndReportsTheRate() throws Exception {
        FakeNode node = node().answer("Publish", (PublishRequest r) -> PublishResponse.newBuilder()
            .setCorrelationId(r.getCorrelationId()).addOffsets(r.getSequence()).build());

        JsonNode result = json(ctl("--node", node.address.toString(), "--format", "json",
            "publish", "orders", "--count", "3", "--size", "20"));

        List<PublishRequest> sent = node.requests.stream().map(PublishRequest.class::cast).toList();
        assertThat(sent).hasSize(3);
        assertThat(sent).extracting(PublishRequest::getSequence).containsExactly(1L, 2L, 3L);
        assertThat(sent).extracting(PublishRequest::getProducerId).containsOnly(sent.get(0).getProducerId());
        assertThat(sent.get(0).getMessages(0).getBody().toStringUtf8()).isEqualTo("message 1 ..........");
        assertThat(result.get("published").asInt()).isEqualTo(3);
        assertThat(result.get("bytes").asLong()).isEqualTo(60);
        assertThat(result.get("msg_per_s").isNumber()).isTrue();
    }

    @Test
    void aNodeThatIsNotTheLeaderIsFollowedToTheLeaderNamedInItsAnswer() throws Exception {
        FakeNode leader = node().answer("Publish", r -> PublishResponse.getDefaultInstance());
        FakeNode follower = node().redirect("Publish", leader.address);

        CtlRun run = ctl("--node", follower.address.toString(), "publish", "q", "--count", "3");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(follower.calls("Publish")).as("the follower is asked once, then the leader directly").isOne();
        assertThat(leader.calls("Publish")).isEqualTo(3);
    }

    @Test
    void onlyOneRedirectIsFollowedPerCall() throws Exception {
        FakeNode third = node().answer("PurgeQueue", r -> PurgeQueueResponse.getDefaultInstance());
        FakeNode second = node().redirect("PurgeQueue", third.address);
        FakeNode first = node().redirect("PurgeQueue", second.address);

        CtlRun run = ctl("--node", first.address.toString(), "purge_queue", "q");

        assertThat(run.exitCode()).isOne();
        assertThat(run.err()).isEqualTo("Error: UNAVAILABLE: no node answered: " + first.address + " redirected to "
            + second.address + "; " + second.address + ": not the leader" + System.lineSeparator());
        assertThat(third.calls("PurgeQueue")).isZero();
    }

    @Test
    void aCallTriesEachNodeOncePlusTheOneRedirectItFollows() throws Exception {
        HostPort gone = FakeNode.nowhere();
        FakeNode first = node().redirect("PurgeQueue", gone);
        FakeNode second = node().redirect("PurgeQueue", first.address);

        CtlRun run = ctl("--node", first.address.toString(), "--node", second.address.toString(), "purge_queue", "q");

        assertThat(run.exitCode()).isOne();
        assertThat(run.err())
            .startsWith("Error: UNAVAILABLE: no node answered: " + first.address + " redirected to " + gone + "; "
                + gone + ": ")
            .endsWith("; " + second.address + ": not the leader" + System.lineSeparator());
        assertThat(first.calls("PurgeQueue")).isOne();
        assertThat(second.calls("PurgeQueue")).isOne();
    }

    @Test
    void anUnreachableNodeIsSkippedForTheNextOne() throws Exception {
        FakeNode node = node().answer("ListQueues", r -> ListQueuesResponse.getDefaultInstance());

        CtlRun run = ctl("--node", FakeNode.nowhere().toString(), "--node", node.address.toString(), "list_queues");

        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo("name  leader  replicas  messages  messages_unacked" + System.lineSeparator());
    }

    @Test
    void aServerErrorIsPrintedAsOneLineWithItsStatusAndIsNotRetriedElsewhere() throws Exception {
        FakeNode other = node().answer("DeleteQueue", r -> DeleteQueueResponse.getDefaultInstance());
        FakeNode node = node().answer("DeleteQueue", r -> {
            throw Status.NOT_FOUND.withDescription("no queue 'q'").asRuntimeException();
        });

        CtlRun run = ctl("--node", node.address.toString(), "--node", other.address.toString(), "delete_queue", "q");

        assertThat(run.exitCode()).isOne();
        assertThat(run.err()).isEqualTo("Error: NOT_FOUND: no queue 'q'" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
        assertThat(other.calls("DeleteQueue")).isZero();
    }

    @Test
    void whenNoNodeAnswersTheErrorSaysWhatEachOneSaid() {
        CtlRun run = ctl("--node", FakeNode.nowhere().toString(), "cluster_status");

        assertThat(run.exitCode()).isOne();
        assertThat(run.err()).startsWith("Error: UNAVAILABLE: absent-").contains("Could not find server")
            .doesNotContain("\tat ");
    }

    @Test
    void aPublishThatFailsPartWaySaysHowManyMessagesWerePublished() throws Exception {
        FakeNode node = node().answer("Publish", (PublishRequest r) -> {
            if (r.getSequence() == 3) {
                throw Status.INVALID_ARGUMENT.withDescription("queue is full").asRuntimeException();
            }
            return PublishResponse.getDefaultInstance();
        });

        CtlRun run = ctl("--node", node.address.toString(), "publish", "q", "--count", "5");

        assertThat(run.exitCode()).isOne();
        assertThat(run.err()).isEqualTo(
            "Error: INVALID_ARGUMENT: queue is full (2 of 5 messages published)" + System.lineSeparator());
    }

    private static final PolicyInfo HA_TWO = PolicyInfo.newBuilder().setName("ha-two").setPattern("^important\\.")
        .setApplyTo("queues").setPriority(10).setDefinition("{\"ha-mode\":\"exactly\",\"ha-params\":2}").build();

    @Test
    void setPolicySendsTheDefinitionAsWrittenAndPrintsThePolicy() throws Exception {
        FakeNode node = node().answer("SetPolicy", (SetPolicyRequest r) -> SetPolicyResponse.newBuilder()
            .setPolicy(HA_TWO).setCreated(true).build());

        JsonNode policy = json(ctl("--node", node.address.toString(), "--format", "json", "set_policy", "ha-two",
            "^important\\.", "{\"ha-mode\":\"exactly\",\"ha-params\":2}", "--priority", "10"));

        SetPolicyRequest sent = (SetPolicyRequest) node.requests.get(0);
        assertThat(sent.getName()).isEqualTo("ha-two");
        assertThat(sent.getPattern()).isEqualTo("^important\\.");
        assertThat(sent.getDefinition()).isEqualTo("{\"ha-mode\":\"exactly\",\"ha-params\":2}");
        assertThat(sent.getPriority()).isEqualTo(10);
        assertThat(sent.getApplyTo()).isEqualTo("queues");
        assertThat(policy.get("name").asText()).isEqualTo("ha-two");
        assertThat(policy.get("definition").get("ha-params").asInt()).isEqualTo(2);
    }

    @Test
    void listPoliciesIsATableWithTheDefinitionAsJsonOrAnArrayOfObjects() throws Exception {
        FakeNode node = node().answer("ListPolicies", r -> ListPoliciesResponse.newBuilder().addPolicies(HA_TWO).build());

        CtlRun table = ctl("--node", node.address.toString(), "list_policies");
        JsonNode policies = json(ctl("--node", node.address.toString(), "--format", "json", "list_policies"));

        assertThat(table.out().lines()).containsExactly(
            "name    pattern       apply_to  priority  definition",
            "ha-two  ^important\\.  queues          10  {\"ha-mode\":\"exactly\",\"ha-params\":2}");
        assertThat(policies).hasSize(1);
        assertThat(policies.get(0).fieldNames()).toIterable()
            .containsExactly("name", "pattern", "apply_to", "priority", "definition");
        assertThat(policies.get(0).get("priority").asInt()).isEqualTo(10);
        assertThat(policies.get(0).get("definition").get("ha-mode").asText()).isEqualTo("exactly");
    }

    @Test
    void rebalanceListsLeaderMovesAndQueueMovesOneRowEach() throws Exception {
        FakeNode node = node().answer("Rebalance", r -> RebalanceResponse.newBuilder()
            .addMoves(LeaderMove.newBuilder().setGroup("g1").setFrom("n1").setTo("n2").addQueues("a").addQueues("b"))
            .addQueueMoves(QueueMove.newBuilder().setQueue("c").setFromGroup("g1").setToGroup("g2").setMoved(true))
            .addQueueMoves(QueueMove.newBuilder().setQueue("d").setFromGroup("g1").setToGroup("g3")
                .setError("the log did not answer"))
            .build());

        CtlRun table = ctl("--node", node.address.toString(), "rebalance");
        JsonNode moves = json(ctl("--node", node.address.toString(), "--format", "json", "rebalance"));

        assertThat(table.out().lines()).containsExactly(
            "kind    group  from  to  moved  queues  error",
            "leader  g1     n1    n2  true   a,b",
            "queue          g1    g2  true   c",
            "queue          g1    g3  false  d       the log did not answer");
        assertThat(moves).hasSize(3);
        assertThat(moves.get(0).fieldNames()).toIterable()
            .containsExactly("kind", "group", "from", "to", "moved", "queues", "error");
        assertThat(moves.get(1).get("kind").asText()).isEqualTo("queue");
        assertThat(moves.get(1).get("from").asText()).isEqualTo("g1");
        assertThat(moves.get(1).get("to").asText()).isEqualTo("g2");
        assertThat(moves.get(1).get("queues")).extracting(JsonNode::asText).containsExactly("c");
        assertThat(moves.get(2).get("moved").asBoolean()).isFalse();
    }

    @Test
    void clearingAnUnknownPolicyPrintsTheServersNotFound() throws Exception {
        FakeNode node = node().answer("ClearPolicy", r -> {
            throw Status.NOT_FOUND.withDescription("no policy named 'ha-two'").asRuntimeException();
        });

        CtlRun run = ctl("--node", node.address.toString(), "clear_policy", "ha-two");

        assertThat(((ClearPolicyRequest) node.requests.get(0)).getName()).isEqualTo("ha-two");
        assertThat(run.exitCode()).isOne();
        assertThat(run.err()).isEqualTo("Error: NOT_FOUND: no policy named 'ha-two'" + System.lineSeparator());
    }

    @Test
    void listQueuesShowsThePolicyTheSynchronisedReplicasAndTheEffectiveAckMode() throws Exception {
        QueueInfo important = ORDERS.toBuilder().setName("important.orders").setPolicy("ha-two").setAckMode("local")
            .addAllSynchronisedReplicas(List.of("n1", "n2")).build();
        FakeNode node = node().answer("ListQueues", r -> ListQueuesResponse.newBuilder().addQueues(important).build());

        JsonNode queues = json(ctl("--node", node.address.toString(), "--format", "json", "list_queues",
            "name", "policy", "replicas", "synchronised_replicas", "ack_mode"));
        CtlRun table = ctl("--node", node.address.toString(), "list_queues", "name", "policy", "ack_mode");

        JsonNode q = queues.get(0);
        assertThat(q.fieldNames()).toIterable()
            .containsExactly("name", "policy", "replicas", "synchronised_replicas", "ack_mode");
        assertThat(q.get("policy").asText()).isEqualTo("ha-two");
        assertThat(q.get("synchronised_replicas")).extracting(JsonNode::asText).containsExactly("n1", "n2");
        assertThat(q.get("ack_mode").asText()).isEqualTo("local");
        assertThat(table.out().lines()).containsExactly(
            "name              policy  ack_mode",
            "important.orders  ha-two  local");
    }

    @Test
    void listQueuesShowsWhatTheLimitsDidWhenAsked() throws Exception {
        QueueInfo limited = ORDERS.toBuilder().setMessagesExpired(5).putDeadLettered("maxlen", 3)
            .putDeadLettered("expired", 4).putDropped("expired", 1).setPublishesRejected(2).setDeliveriesTimedOut(7)
            .putEffectiveArguments("max-length", "10").build();
        FakeNode node = node().answer("ListQueues", r -> ListQueuesResponse.newBuilder().addQueues(limited).build());
        String[] columns = {"name", "messages_expired", "dead_lettered", "dropped", "publishes_rejected",
            "deliveries_timed_out"};

        CtlRun table = ctl(concat(new String[] {"--node", node.address.toString(), "list_queues"}, columns));
        JsonNode queues = json(ctl(concat(new String[] {"--node", node.address.toString(), "--format", "json",
            "list_queues"}, columns)));
        JsonNode byDefault = json(ctl("--node", node.address.toString(), "--format", "json", "list_queues"));

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out().lines()).containsExactly(
            "name    messages_expired  dead_lettered       dropped    publishes_rejected  deliveries_timed_out",
            "orders                 5  expired=4,maxlen=3  expired=1                   2                     7");
        JsonNode q = queues.get(0);
        assertThat(q.get("dead_lettered").get("maxlen").asLong()).isEqualTo(3);
        assertThat(q.get("dropped").get("expired").asLong()).isEqualTo(1);
        assertThat(q.get("deliveries_timed_out").asLong()).isEqualTo(7);
        assertThat(byDefault.get(0).fieldNames()).toIterable()
            .containsExactly("name", "leader", "replicas", "messages", "messages_unacked");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
