package io.qraft.ops.cluster;

import io.qraft.ops.launch.ProcessCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.qraft.api.log.v1.Enqueue;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClearPolicyRequest;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeleteQueueRequest;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.ForgetNodeRequest;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ReplicaChangeRequest;
import io.qraft.api.v1.SyncQueueRequest;
import io.qraft.api.v1.TransferLeaderRequest;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.NackRequest;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.log.GroupIds;
import io.qraft.statemachine.LogCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that speaks raw gRPC from the .proto files (no SDK) and sends what a careless or hostile
 * program would, against three node processes: oversized ids, tags, headers and arguments,
 * unsigned counts past 2^31, backtracking and oversized policies, more queues and policies than
 * the cluster takes. Each gets its status within the call deadline, with a message that names the
 * field and no Java names; afterwards every queue of every shard still publishes and consumes,
 * the messages stored before are unchanged, and no group's Raft term moved.
 *
 * <p>Then the entry that once closed a shard on every node (a publish with a 70,000-byte producer
 * id) is put into a shard's log directly, through the Raft port with a plain Ratis client, as
 * the endpoints no longer let it through: the shard refuses it and goes on, and after every node
 * restarts (replaying that entry) it still serves.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClientProcessTest {
  private static final int MAX_QUEUES = 10;
  private static final int MAX_POLICIES = 3;
  private static final int QUEUES = 6;
  private static final int STORED = 5;

  @TempDir
  static Path dir;

  static ProcessCluster cluster;
  static ManagedChannel channel;
  static QueueServiceGrpc.QueueServiceBlockingStub queues;
  static AdminServiceGrpc.AdminServiceBlockingStub admin;
  /** Queue name to its shard. */
  static final Map<String, String> shardOf = new LinkedHashMap<>();

  @BeforeAll
  static void startCluster() {
    cluster = new ProcessCluster(dir, 3, Map.of(
        "limits.max_queues", String.valueOf(MAX_QUEUES),
        "limits.max_policies", String.valueOf(MAX_POLICIES))).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", cluster.node("n1").grpcPort).usePlaintext().build();
    queues = QueueServiceGrpc.newBlockingStub(channel);
    admin = AdminServiceGrpc.newBlockingStub(channel);
    for (int i = 0; i < QUEUES; i++) {
      String q = "q" + i;
      shardOf.put(q, call(Duration.ofSeconds(60)).declareQueue(DeclareQueueRequest.newBuilder().setQueue(q).build())
          .getQueue().getGroup());
      for (int m = 0; m < STORED; m++) {
        publish(q, q + "-" + m);
      }
    }
  }

  @AfterAll
  static void stopCluster() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void everyHostileRequestGetsAStatusThatNamesTheProblemAndChangesNothing() {
    assertThat(new java.util.HashSet<>(shardOf.values())).as("shards carrying the test's queues").hasSize(3);
    Map<String, Long> termsBefore = terms();

    // The publish that closed a shard on every node.
    refused(Status.Code.INVALID_ARGUMENT, "producer id is 70000 bytes", () -> call().publish(
        PublishRequest.newBuilder().setQueue("q0").setProducerId("p".repeat(70_000)).setSequence(1)
            .addMessages(body("never stored")).build()));
    refused(Status.Code.INVALID_ARGUMENT, "limits.producer_id_bytes", () -> call().publish(
        PublishRequest.newBuilder().setQueue("q0").setProducerId("p".repeat(257)).addMessages(body("x")).build()));
    refused(Status.Code.INVALID_ARGUMENT, "limits.headers_per_message", () -> call().publish(
        PublishRequest.newBuilder().setQueue("q0").addMessages(headers(65, 1)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "limits.header_bytes", () -> call().publish(
        PublishRequest.newBuilder().setQueue("q0").addMessages(headers(1, 20_000)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "message.max_bytes", () -> call().publish(PublishRequest.newBuilder()
        .setQueue("q0").addMessages(Message.newBuilder().setBody(ByteString.copyFrom(new byte[1_048_577]))).build()));
    refused(Status.Code.INVALID_ARGUMENT, "no message", () -> call().publish(
        PublishRequest.newBuilder().setQueue("q0").build()));
    refused(Status.Code.INVALID_ARGUMENT, "255", () -> call().publish(
        PublishRequest.newBuilder().setQueue("q".repeat(256)).addMessages(body("x")).build()));
    refused(Status.Code.NOT_FOUND, "does not exist", () -> call().publish(
        PublishRequest.newBuilder().setQueue("nowhere").addMessages(body("x")).build()));

    // Unsigned counts: 2^31 and 2^32 - 1 are large, not negative.
    refused(Status.Code.INVALID_ARGUMENT, "prefetch 2147483648 is too large", () -> consumeFirst(
        ConsumeRequest.newBuilder().setQueue("q0").setPrefetch(Integer.MIN_VALUE).build()));
    refused(Status.Code.INVALID_ARGUMENT, "prefetch 4294967295 is too large", () -> consumeFirst(
        ConsumeRequest.newBuilder().setQueue("q0").setPrefetch(-1).build()));
    refused(Status.Code.INVALID_ARGUMENT, "consumer.max_prefetch", () -> consumeFirst(
        ConsumeRequest.newBuilder().setQueue("q0").setPrefetch(10_001).build()));
    refused(Status.Code.INVALID_ARGUMENT, "limits.consumer_tag_bytes", () -> consumeFirst(
        ConsumeRequest.newBuilder().setQueue("q0").setConsumerTag("t".repeat(2_000)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "the most is 128", () -> consumeFirst(
        ConsumeRequest.newBuilder().setQueue("q0").setConsumerId("c".repeat(129)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "letters, digits", () -> consumeFirst(
        ConsumeRequest.newBuilder().setQueue("q0").setConsumerId("two words").build()));
    refused(Status.Code.INVALID_ARGUMENT, "letters, digits", () -> consumeFirst(
        ConsumeRequest.newBuilder().setQueue("q0").setConsumerId("caf\u00e9").build()));
    refused(Status.Code.INVALID_ARGUMENT, "character 6 is not one", () -> consumeFirst(
        ConsumeRequest.newBuilder().setQueue("q0").setConsumerId("other/app-1").build()));
    refused(Status.Code.INVALID_ARGUMENT, "count 2147483648 is too large", () -> call().get(
        GetRequest.newBuilder().setQueue("q0").setCount(Integer.MIN_VALUE).build()));
    refused(Status.Code.INVALID_ARGUMENT, "consumer.max_get_count", () -> call().get(
        GetRequest.newBuilder().setQueue("q0").setCount(10_001).build()));

    // Settling what was never delivered.
    refused(Status.Code.INVALID_ARGUMENT, "no delivery tag", () -> call().ack(
        AckRequest.newBuilder().setQueue("q0").build()));
    refused(Status.Code.FAILED_PRECONDITION, "not outstanding", () -> call().ack(AckRequest.newBuilder()
        .setQueue("q0").addTags(DeliveryTag.newBuilder().setOffset(Long.MAX_VALUE).setDeliveryCount(-1)).build()));
    refused(Status.Code.FAILED_PRECONDITION, "not outstanding", () -> call().nack(NackRequest.newBuilder()
        .setQueue("q1").addTags(DeliveryTag.newBuilder().setOffset(0).setDeliveryCount(1))
        .addTags(DeliveryTag.newBuilder().setOffset(0).setDeliveryCount(1)).setRequeue(true).build()));

    // Declares: a 100 KB value (once a 15 s hang that stalled other publishes), a 100 KB name, unknown keys.
    refused(Status.Code.INVALID_ARGUMENT, "limits.argument_bytes", () -> call().declareQueue(DeclareQueueRequest
        .newBuilder().setQueue("big-argument").putArguments("ack-mode", "x".repeat(100_000)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "limits.argument_bytes", () -> call().declareQueue(DeclareQueueRequest
        .newBuilder().setQueue("big-argument").putArguments("k".repeat(100_000), "quorum").build()));
    refused(Status.Code.INVALID_ARGUMENT, "characters)", () -> call().declareQueue(DeclareQueueRequest
        .newBuilder().setQueue("long-value").putArguments("ack-mode", "y".repeat(2_000)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "queue name is empty", () -> call().declareQueue(
        DeclareQueueRequest.newBuilder().setQueue("").build()));
    refused(Status.Code.INVALID_ARGUMENT, "queue name is empty", () -> call().deleteQueue(
        DeleteQueueRequest.newBuilder().setQueue("").build()));

    // Policies: oversized fields, syntax RE2 does not have, and a pattern that backtracks under
    // Java's engine, which is accepted because it is matched in linear time.
    refused(Status.Code.INVALID_ARGUMENT, "limits.policy_name_bytes", () -> adm().setPolicy(
        policy("n".repeat(300), "^x", "{\"batch-linger-ms\":0}")));
    refused(Status.Code.INVALID_ARGUMENT, "limits.policy_pattern_bytes", () -> adm().setPolicy(
        policy("long-pattern", "x".repeat(5_000), "{\"batch-linger-ms\":0}")));
    refused(Status.Code.INVALID_ARGUMENT, "limits.policy_definition_bytes", () -> adm().setPolicy(
        policy("long-definition", "^x", "{\"ack-mode\":\"" + "q".repeat(10_000) + "\"}")));
    refused(Status.Code.INVALID_ARGUMENT, "RE2 syntax", () -> adm().setPolicy(
        policy("backreference", "^(a)\\1$", "{\"batch-linger-ms\":0}")));
    refused(Status.Code.INVALID_ARGUMENT, "limits.policy_name_bytes", () -> adm().clearPolicy(
        ClearPolicyRequest.newBuilder().setName("n".repeat(300)).build()));
    adm().setPolicy(policy("backtracking", "^(a+)+$", "{\"batch-linger-ms\":0}"));
    String evil = "a".repeat(64) + "!";
    assertThat(call().declareQueue(DeclareQueueRequest.newBuilder().setQueue(evil).build()).getCreated()).isTrue();
    adm().setPolicy(policy("second", "^nothing-", "{\"batch-linger-ms\":0}"));
    adm().setPolicy(policy("third", "^nothing-", "{\"batch-linger-ms\":0}"));
    refused(Status.Code.RESOURCE_EXHAUSTED, "limits.max_policies", () -> adm().setPolicy(
        policy("fourth", "^nothing-", "{\"batch-linger-ms\":0}")));
    adm().setPolicy(policy("third", "^nothing-else-", "{\"batch-linger-ms\":0}"));

    // Operator calls with oversized names.
    refused(Status.Code.INVALID_ARGUMENT, "255", () -> adm().transferLeader(
        TransferLeaderRequest.newBuilder().setQueue("q".repeat(70_000)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "is not a node id", () -> adm().transferLeader(
        TransferLeaderRequest.newBuilder().setQueue("q0").setNode("n".repeat(70_000)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "is not a node id", () -> adm().forgetNode(
        ForgetNodeRequest.newBuilder().setNode("n".repeat(70_000)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "is not a node id", () -> adm().addReplica(
        ReplicaChangeRequest.newBuilder().setQueue("q0").setNode("n".repeat(300)).build()));
    refused(Status.Code.INVALID_ARGUMENT, "255", () -> adm().syncQueue(
        SyncQueueRequest.newBuilder().setQueue("q".repeat(300)).build()));

    // More queues than the cluster takes.
    int declared = QUEUES + 1;
    while (declared < MAX_QUEUES) {
      call(Duration.ofSeconds(60)).declareQueue(DeclareQueueRequest.newBuilder().setQueue("fill-" + declared).build());
      declared++;
    }
    refused(Status.Code.RESOURCE_EXHAUSTED, "limits.max_queues", () -> call().declareQueue(
        DeclareQueueRequest.newBuilder().setQueue("one-too-many").build()));
    assertThat(adm().listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesCount()).isEqualTo(MAX_QUEUES);

    assertThat(terms()).as("Raft terms of every group on every node").isEqualTo(termsBefore);
    everyQueueStillPublishesAndConsumesWhatItHeld("after");
  }

  @Test
  @Order(2)
  void aPoisonEntryInAShardsLogIsRefusedAndReplayedWithoutClosingIt() throws Exception {
    String group = shardOf.get("q0");
    ShardCommand poison = ShardCommand.newBuilder().setLeaderTimeMs(System.currentTimeMillis())
        .setEnqueue(Enqueue.newBuilder().addPublishes(QueuePublish.newBuilder().setQueue("q0")
            .setProducerId("p".repeat(70_000)).setSequence(1).addMessages(body("poison"))))
        .build();
    List<RaftPeer> peers = new ArrayList<>();
    for (ProcessCluster.Node n : cluster.nodes()) {
      peers.add(RaftPeer.newBuilder().setId(GroupIds.peer(n.id)).setAddress("127.0.0.1:" + n.raftPort).build());
    }
    try (RaftClient raw = RaftClient.newBuilder().setProperties(new RaftProperties())
        .setRaftGroup(RaftGroup.valueOf(GroupIds.parse(group), peers))
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(50, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
        .build()) {
      RaftClientReply reply = raw.io().send(LogCodec.message(poison));
      assertThat(reply.isSuccess()).isTrue();
      ShardResult result = LogCodec.shardResult(reply.getMessage());
      assertThat(result.getPublishes(0).getErrorCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
      assertThat(result.getPublishes(0).getErrorMessage()).contains("producer id is 70000 bytes");
    }
    everyQueueStillPublishesAndConsumesWhatItHeld("after the poison entry");

    // Every node restarts and replays the entry from its log.
    for (ProcessCluster.Node n : cluster.nodes()) {
      cluster.stop(n);
    }
    for (ProcessCluster.Node n : cluster.nodes()) {
      cluster.start(n);
    }
    cluster.awaitReady(Duration.ofSeconds(90));
    channel.shutdownNow();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", cluster.node("n1").grpcPort).usePlaintext().build();
    queues = QueueServiceGrpc.newBlockingStub(channel);
    admin = AdminServiceGrpc.newBlockingStub(channel);
    for (ProcessCluster.Node n : cluster.nodes()) {
      assertThat(cluster.nodeStatus(n).getRunning()).as("%s serves every group after the replay", n.id).isTrue();
    }
    everyQueueStillPublishesAndConsumesWhatItHeld("after every node replayed the poison entry");
  }

  /** Publishes one more message to every queue and takes all of each back: the earlier ones, then it. */
  private static void everyQueueStillPublishesAndConsumesWhatItHeld(String when) {
    for (String q : shardOf.keySet()) {
      String extra = q + "-" + when;
      publish(q, extra);
      List<String> bodies = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (bodies.size() < STORED + 1 && System.nanoTime() < deadline) {
        try {
          for (Delivery d : call().get(GetRequest.newBuilder().setQueue(q).setCount(100).setAck(true).build())
              .getDeliveriesList()) {
            bodies.add(d.getMessage().getBody().toStringUtf8());
          }
        } catch (StatusRuntimeException e) {
          // A leader still settling after a restart: ask again.
          ProcessCluster.sleep(200);
        }
      }
      List<String> expected = new ArrayList<>();
      for (int m = 0; m < STORED; m++) {
        expected.add(q + "-" + m);
      }
      expected.add(extra);
      assertThat(bodies).as("%s of queue %s (shard %s)", when, q, shardOf.get(q)).containsExactlyElementsOf(expected);
      // Put the stored messages back for the next look.
      for (int m = 0; m < STORED; m++) {
        publish(q, q + "-" + m);
      }
    }
  }

  private static Map<String, Long> terms() {
    Map<String, Long> out = new TreeMap<>();
    for (ProcessCluster.Node n : cluster.nodes()) {
      for (GroupStatus g : cluster.nodeStatus(n).getLocalGroupsList()) {
        out.put(n.id + " " + g.getGroup(), g.getTerm());
      }
    }
    return out;
  }

  private static void refused(Status.Code code, String reason, Executable call) {
    assertThatThrownBy(call::execute).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as("code (%s)", e.getStatus().getDescription()).isEqualTo(code);
      String description = e.getStatus().getDescription();
      assertThat(description).contains(reason).hasSizeLessThan(1_100)
          .doesNotContain("Exception", "java.", "io.grpc", "org.apache", "\tat ");
      assertThat(description).doesNotContainPattern("@[0-9a-f]{4,}");
    });
  }

  private static void consumeFirst(ConsumeRequest request) {
    Iterator<Delivery> stream = call().consume(request);
    stream.hasNext();
  }

  private static void publish(String queue, String body) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        call().publish(PublishRequest.newBuilder().setQueue(queue).addMessages(body(body)).build());
        return;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
          throw e;
        }
        ProcessCluster.sleep(200);
      }
    }
  }

  private static Message body(String text) {
    return Message.newBuilder().setBody(ByteString.copyFrom(text, StandardCharsets.UTF_8)).build();
  }

  private static Message headers(int count, int valueBytes) {
    Message.Builder m = Message.newBuilder().setBody(ByteString.copyFromUtf8("x"));
    for (int i = 0; i < count; i++) {
      m.putHeaders("h" + i, "v".repeat(valueBytes));
    }
    return m.build();
  }

  private static SetPolicyRequest policy(String name, String pattern, String definition) {
    return SetPolicyRequest.newBuilder().setName(name).setPattern(pattern).setDefinition(definition).build();
  }

  private static AdminServiceGrpc.AdminServiceBlockingStub adm() {
    return admin.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static QueueServiceGrpc.QueueServiceBlockingStub call() {
    return call(Duration.ofSeconds(10));
  }

  private static QueueServiceGrpc.QueueServiceBlockingStub call(Duration deadline) {
    return queues.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }
}
