package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.NackRequest;
import io.qraft.api.v1.NackResponse;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.QueueInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QraftClientTest {

  private static final long WAIT_SECONDS = 30;

  private final InProcessCluster cluster = new InProcessCluster();

  @AfterEach
  void closeCluster() throws Exception {
    cluster.close();
  }

  @Test
  void a_call_to_a_follower_goes_on_to_the_leader_it_names_and_straight_there_next_time() {
    FakeNode leader = cluster.leader("b");
    RedirectingNode follower = cluster.follower("a", leader);
    QraftClient client = cluster.client(follower.name);

    QueueInfo first = client.declareQueue("orders", Map.of("ack-mode", "quorum"));
    QueueInfo second = client.declareQueue("orders", Map.of("ack-mode", "quorum"));

    assertThat(first.getLeader()).isEqualTo(leader.name);
    assertThat(second.getLeader()).isEqualTo(leader.name);
    assertThat(follower.calls()).isEqualTo(1);
    assertThat(leader.calls("DeclareQueue")).isEqualTo(2);
  }

  @Test
  void a_confirm_forwarded_by_a_follower_sends_the_next_publishes_and_acks_to_the_leader_it_names()
      throws Exception {
    FakeNode leader = cluster.leader("b");
    FakeNode follower = cluster.leader("a");
    follower.confirmAsForwardedTo(leader.name);
    QraftClient client = cluster.client(follower.name);

    client.publish("orders", "one".getBytes(StandardCharsets.UTF_8)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    client.publish("orders", "two".getBytes(StandardCharsets.UTF_8)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    client.publish("orders", "three".getBytes(StandardCharsets.UTF_8)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    client.ack("orders", List.of(DeliveryTag.newBuilder().setOffset(0).build()));

    assertThat(follower.calls("Publish")).isEqualTo(1);
    assertThat(leader.calls("Publish")).isEqualTo(2);
    assertThat(leader.calls("Ack")).isEqualTo(1);
    assertThat(follower.calls("Ack")).isZero();
  }

  @Test
  void a_node_that_cannot_be_reached_is_skipped_for_the_next_address() {
    FakeNode leader = cluster.leader("b");
    QraftClient client = cluster.client(cluster.nowhere("a"), leader.name);

    QueueInfo info = client.declareQueue("orders");

    assertThat(info.getLeader()).isEqualTo(leader.name);
  }

  @Test
  void a_node_that_names_no_leader_is_skipped_for_the_next_address() {
    RedirectingNode lost = cluster.leaderless("a");
    FakeNode leader = cluster.leader("b");
    QraftClient client = cluster.client(lost.name, leader.name);

    assertThat(client.listQueues().getQueues(0).getLeader()).isEqualTo(leader.name);
    assertThat(lost.calls()).isEqualTo(1);
  }

  @Test
  void admin_calls_follow_a_redirect_like_queue_calls() {
    FakeNode leader = cluster.leader("b");
    RedirectingNode follower = cluster.follower("a", leader);
    QraftClient client = cluster.client(follower.name);

    assertThat(client.clusterStatus().getNode()).isEqualTo(leader.name);
  }

  @Test
  void a_publish_retried_after_unavailable_carries_the_same_producer_id_and_sequence()
      throws Exception {
    FakeNode leader = cluster.leader("b");
    leader.failNext("Publish", Status.UNAVAILABLE.withDescription("no leader yet"));
    leader.failNext("Publish", Status.DEADLINE_EXCEEDED.withDescription("commit timed out"));
    QraftClient client = cluster.client(leader.name);

    PublishConfirm confirm = client.publish("orders", bytes("hello"))
        .get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(confirm.queue()).isEqualTo("orders");
    assertThat(confirm.offsets()).hasSize(1);
    List<PublishRequest> attempts = leader.publishes();
    assertThat(attempts).hasSize(3);
    assertThat(attempts).extracting(PublishRequest::getProducerId)
        .containsOnly(client.producerId());
    assertThat(attempts).extracting(PublishRequest::getSequence)
        .containsOnly(attempts.get(0).getSequence());
  }

  @Test
  void a_publish_pushed_back_by_flow_control_is_retried_until_the_node_takes_it() throws Exception {
    FakeNode leader = cluster.leader("b");
    for (int i = 0; i < 3; i++) {
      leader.failNext("Publish", Status.RESOURCE_EXHAUSTED.withDescription("flow control"));
    }
    QraftClient client = cluster.client(leader.name);

    PublishConfirm confirm = client.publish("orders", bytes("slow")).get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(confirm.offsets()).hasSize(1);
    assertThat(leader.publishes()).hasSize(4);
    assertThat(leader.publishes()).extracting(PublishRequest::getSequence)
        .containsOnly(leader.publishes().get(0).getSequence());
  }

  @Test
  void every_publish_gets_a_higher_sequence_than_the_one_before() throws Exception {
    FakeNode leader = cluster.leader("b");
    QraftClient client = cluster.client(leader.name);

    client.publish("orders", bytes("one")).get(WAIT_SECONDS, TimeUnit.SECONDS);
    client.publish("orders", bytes("two"), Map.of("k", "v")).get(WAIT_SECONDS, TimeUnit.SECONDS);
    client.publishBatch("orders", List.of(FakeNode.delivery("orders", 0).getMessage(),
        FakeNode.delivery("orders", 1).getMessage())).get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(leader.publishes()).extracting(PublishRequest::getSequence)
        .isSorted().doesNotHaveDuplicates();
    assertThat(leader.publishes().get(1).getMessages(0).getHeadersMap()).containsEntry("k", "v");
    assertThat(leader.publishes().get(2).getMessagesCount()).isEqualTo(2);
  }

  @Test
  void invalid_argument_is_not_retried_and_surfaces_with_the_servers_message() {
    FakeNode leader = cluster.leader("b");
    leader.failNext("DeclareQueue",
        Status.INVALID_ARGUMENT.withDescription("unknown queue argument 'colour'"));
    QraftClient client = cluster.client(leader.name);

    assertThatThrownBy(() -> client.declareQueue("orders", Map.of("colour", "blue")))
        .isInstanceOfSatisfying(QraftException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.serverMessage()).isEqualTo("unknown queue argument 'colour'");
        });
    assertThat(leader.calls("DeclareQueue")).isEqualTo(1);
  }

  @Test
  void a_publish_the_server_refuses_is_not_retried() {
    FakeNode leader = cluster.leader("b");
    leader.failNext("Publish", Status.INVALID_ARGUMENT.withDescription("message too large"));
    QraftClient client = cluster.client(leader.name);

    CompletableFuture<PublishConfirm> publish = client.publish("orders", bytes("big"));

    assertThatThrownBy(() -> publish.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(QraftException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.serverMessage()).isEqualTo("message too large");
        });
    assertThat(leader.publishes()).hasSize(1);
  }

  @Test
  void a_publish_to_a_full_queue_fails_with_queue_full_and_is_not_retried() {
    FakeNode leader = cluster.leader("b");
    leader.failNext("Publish",
        Status.OUT_OF_RANGE.withDescription("queue 'orders' holds its max-length of 10 (overflow reject-publish)"));
    QraftClient client = cluster.client(leader.name);

    CompletableFuture<PublishConfirm> publish = client.publish("orders", bytes("one more"));

    assertThatThrownBy(() -> publish.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(QueueFullException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.OUT_OF_RANGE);
          assertThat(e.queue()).isEqualTo("orders");
          assertThat(e.serverMessage()).isEqualTo("queue 'orders' holds its max-length of 10 (overflow reject-publish)");
          assertThat(e.getMessage()).startsWith("queue 'orders' is full: ");
        });
    assertThat(leader.publishes()).hasSize(1);
  }

  @Test
  void a_publish_retried_after_unavailable_that_then_finds_the_queue_full_fails_with_queue_full() {
    FakeNode leader = cluster.leader("b");
    leader.failNext("Publish", Status.UNAVAILABLE.withDescription("no leader yet"));
    leader.failNext("Publish", Status.OUT_OF_RANGE.withDescription("queue 'orders' is full"));
    QraftClient client = cluster.client(leader.name);

    assertThatThrownBy(() -> client.publish("orders", bytes("late")).join())
        .cause()
        .isInstanceOf(QueueFullException.class);
    assertThat(leader.publishes()).hasSize(2);
  }

  @Test
  void only_a_publish_turns_out_of_range_into_queue_full() {
    FakeNode leader = cluster.leader("b");
    leader.failNext("Ack", Status.OUT_OF_RANGE.withDescription("some other range"));
    QraftClient client = cluster.client(leader.name);

    assertThatThrownBy(() -> client.ack("orders", List.of(DeliveryTag.newBuilder().setOffset(1).build())))
        .isInstanceOfSatisfying(QraftException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.OUT_OF_RANGE))
        .isNotInstanceOf(QueueFullException.class);
  }

  @Test
  void a_nack_with_a_delay_requeues_after_that_many_milliseconds() {
    FakeNode leader = cluster.leader("b");
    leader.answer("Nack", (NackRequest r) -> NackResponse.newBuilder().setNacked(r.getTagsCount()).build());
    QraftClient client = cluster.client(leader.name);

    int nacked = client.nack(FakeNode.delivery("orders", 4), Duration.ofSeconds(30));
    client.nack("orders", List.of(FakeNode.delivery("orders", 5).getTag()), Duration.ZERO);
    client.nack(FakeNode.delivery("orders", 6), false);

    assertThat(nacked).isEqualTo(1);
    List<NackRequest> nacks = leader.requests.stream()
        .filter(NackRequest.class::isInstance).map(NackRequest.class::cast).toList();
    assertThat(nacks).extracting(NackRequest::getRequeue).containsExactly(true, true, false);
    assertThat(nacks).extracting(NackRequest::getRequeueAfterMs).containsExactly(30_000L, 0L, 0L);
    assertThat(nacks.get(0).getTags(0).getOffset()).isEqualTo(4);
  }

  @Test
  void a_nack_delay_that_is_negative_or_longer_than_a_day_is_refused_before_anything_is_sent() {
    FakeNode leader = cluster.leader("b");
    QraftClient client = cluster.client(leader.name);
    Delivery delivery = FakeNode.delivery("orders", 4);

    assertThatThrownBy(() -> client.nack(delivery, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> client.nack(delivery, Duration.ofDays(1).plusMillis(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 86400000 ms");
    assertThatThrownBy(() -> client.nack(delivery, Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 86400000 ms");
    assertThat(leader.calls("Nack")).isZero();
  }

  @Test
  void an_ack_of_a_stale_tag_fails_with_failed_precondition() {
    FakeNode leader = cluster.leader("b");
    leader.failNext("Ack", Status.FAILED_PRECONDITION.withDescription("offset 7 redelivered"));
    QraftClient client = cluster.client(leader.name);
    DeliveryTag stale = DeliveryTag.newBuilder().setOffset(7).setDeliveryCount(1).build();

    assertThatThrownBy(() -> client.ack("orders", List.of(stale)))
        .isInstanceOfSatisfying(QraftException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    assertThat(leader.calls("Ack")).isEqualTo(1);
  }

  @Test
  void a_publish_no_node_confirms_before_its_deadline_says_it_may_have_been_enqueued() {
    RedirectingNode lost = cluster.leaderless("a");
    QraftClient client = cluster.client(Duration.ofMillis(300), lost.name);

    CompletableFuture<PublishConfirm> publish = client.publish("orders", bytes("hello"));

    assertThatThrownBy(() -> publish.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(PublishTimeoutException.class, e -> {
          assertThat(e.getMessage()).contains("may or may not have been enqueued");
          assertThat(e.producerId()).isEqualTo(client.producerId());
          assertThat(e.queue()).isEqualTo("orders");
        });
  }

  @Test
  void a_call_no_node_serves_before_its_deadline_fails_with_unavailable() {
    RedirectingNode lost = cluster.leaderless("a");
    QraftClient client = cluster.client(Duration.ofMillis(300), lost.name);

    // DEADLINE_EXCEEDED when the deadline happens to pass during an attempt, not between two.
    assertThatThrownBy(() -> client.purgeQueue("orders"))
        .isInstanceOfSatisfying(QraftException.class, e -> assertThat(e.code())
            .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED));
    assertThat(lost.calls()).isGreaterThan(1);
  }

  @Test
  void closing_the_client_fails_a_publish_that_is_still_waiting() {
    FakeNode leader = cluster.leader("b");
    leader.holdPublishes();
    QraftClient client = cluster.client(leader.name);
    CompletableFuture<PublishConfirm> publish = client.publish("orders", bytes("hello"));

    client.close();

    assertThatThrownBy(() -> publish.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(QraftException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.CANCELLED));
    assertThatThrownBy(() -> client.publish("orders", bytes("late")))
        .isInstanceOf(IllegalStateException.class);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
