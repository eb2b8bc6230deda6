package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.qraft.api.v1.PublishRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PublisherTest {

  private static final long WAIT_SECONDS = 30;

  private final InProcessCluster cluster = new InProcessCluster();
  private final FakeNode node = cluster.leader("a");
  private final QraftClient client = cluster.client(node.name);

  @AfterEach
  void closeCluster() throws Exception {
    cluster.close();
  }

  private static byte[] body(int i) {
    return ("m" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> bodies(PublishRequest request) {
    return request.getMessagesList().stream().map(m -> m.getBody().toStringUtf8()).toList();
  }

  private List<CompletableFuture<PublishConfirm>> send(Publisher publisher, int from, int to) throws Exception {
    List<CompletableFuture<PublishConfirm>> confirms = new ArrayList<>();
    for (int i = from; i < to; i++) {
      confirms.add(publisher.send(body(i)));
    }
    return confirms;
  }

  private void awaitRequests(int n) {
    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> node.publishes().size() == n);
  }

  /**
   * With the node's gate closed: sends m0, which goes alone, then m1 .. m(to-1) while it waits.
   * The gate stays closed.
   */
  private List<CompletableFuture<PublishConfirm>> sendBehindAWaitingOne(Publisher publisher, int to) throws Exception {
    node.closeGate();
    List<CompletableFuture<PublishConfirm>> confirms = send(publisher, 0, 1);
    awaitRequests(1);
    confirms.addAll(send(publisher, 1, to));
    return confirms;
  }

  /** Answers one request at a time until `requests` went out, then opens the gate for good. */
  private void answerOneByOneUntil(int requests) {
    // The gate never opens in between: a request sent while it was open would pass unheld.
    for (int answered = 1; answered < requests; answered++) {
      // A request counts as received before the gate holds it: answer it once it is held.
      await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> node.heldByGate() == 1);
      node.answerHeld();
      awaitRequests(answered + 1);
    }
    node.openGate();
  }

  private static void awaitAll(List<CompletableFuture<PublishConfirm>> confirms) throws Exception {
    CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void a_lone_send_goes_at_once_and_sends_made_while_it_waits_go_together_in_the_next_request() throws Exception {
    Publisher publisher = client.publisher("orders", 64, new PublishBatching(128, 1 << 20, 1));
    List<CompletableFuture<PublishConfirm>> confirms = sendBehindAWaitingOne(publisher, 6);
    assertThat(node.publishes()).hasSize(1);

    node.openGate();
    awaitAll(confirms);

    assertThat(node.publishes()).hasSize(2);
    assertThat(bodies(node.publishes().get(0))).containsExactly("m0");
    assertThat(bodies(node.publishes().get(1))).containsExactly("m1", "m2", "m3", "m4", "m5");
    List<Long> offsets = new ArrayList<>();
    for (CompletableFuture<PublishConfirm> c : confirms) {
      assertThat(c.get().offsets()).hasSize(1);
      offsets.add(c.get().offset());
    }
    assertThat(offsets).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(publisher.outstanding()).isZero();
  }

  @Test
  void a_request_is_cut_at_its_message_count() throws Exception {
    Publisher publisher = client.publisher("orders", 64, new PublishBatching(2, 1 << 20, 1));
    List<CompletableFuture<PublishConfirm>> confirms = sendBehindAWaitingOne(publisher, 6);
    // Each request goes only when the one before it is answered.
    answerOneByOneUntil(4);
    awaitAll(confirms);

    assertThat(node.publishes()).extracting(PublisherTest::bodies).containsExactly(
        List.of("m0"), List.of("m1", "m2"), List.of("m3", "m4"), List.of("m5"));
  }

  @Test
  void a_request_is_cut_at_its_bytes_and_a_larger_message_goes_alone() throws Exception {
    int messageBytes = io.qraft.api.v1.Message.newBuilder()
        .setBody(com.google.protobuf.ByteString.copyFrom(body(1))).build().getSerializedSize();
    Publisher publisher = client.publisher("orders", 64, new PublishBatching(128, 2 * messageBytes, 1));
    List<CompletableFuture<PublishConfirm>> confirms = sendBehindAWaitingOne(publisher, 4);
    confirms.add(publisher.send(new byte[10 * messageBytes]));
    answerOneByOneUntil(4);
    awaitAll(confirms);

    assertThat(node.publishes()).extracting(r -> r.getMessagesCount()).containsExactly(1, 2, 1, 1);
    assertThat(bodies(node.publishes().get(2))).containsExactly("m3");
  }

  @Test
  void a_refused_request_fails_every_send_in_it_and_the_next_sends_go_on() throws Exception {
    Publisher publisher = client.publisher("orders", 64, new PublishBatching(128, 1 << 20, 1));
    node.closeGate();
    List<CompletableFuture<PublishConfirm>> first = send(publisher, 0, 1);
    awaitRequests(1);
    List<CompletableFuture<PublishConfirm>> refused = send(publisher, 1, 4);
    node.failNext("Publish", Status.INVALID_ARGUMENT.withDescription("message 1 is too large"));
    node.openGate();
    for (CompletableFuture<PublishConfirm> c : refused) {
      assertThatThrownBy(() -> c.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(QraftException.class).hasMessageContaining("message 1 is too large");
    }
    first.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS);

    PublishConfirm after = publisher.send(body(9)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(after.offsets()).hasSize(1);
    assertThat(publisher.outstanding()).isZero();
  }

  @Test
  void a_full_queue_fails_every_send_of_the_refused_request_and_none_is_sent_again() throws Exception {
    Publisher publisher = client.publisher("orders", 64, new PublishBatching(128, 1 << 20, 1));
    List<CompletableFuture<PublishConfirm>> first = sendBehindAWaitingOne(publisher, 1);
    List<CompletableFuture<PublishConfirm>> refused = send(publisher, 1, 4);
    node.failNext("Publish", Status.OUT_OF_RANGE.withDescription("queue 'orders' holds its max-length of 3"));
    node.openGate();
    for (CompletableFuture<PublishConfirm> c : refused) {
      assertThatThrownBy(() -> c.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfSatisfying(QueueFullException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.OUT_OF_RANGE);
            assertThat(e.queue()).isEqualTo("orders");
            assertThat(e.serverMessage()).isEqualTo("queue 'orders' holds its max-length of 3");
          });
    }
    first.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(node.publishes()).extracting(PublisherTest::bodies)
        .containsExactly(List.of("m0"), List.of("m1", "m2", "m3"));

    publisher.send(body(9)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(node.publishes()).hasSize(3);
    assertThat(bodies(node.publishes().get(2))).containsExactly("m9");
    assertThat(publisher.outstanding()).isZero();
  }

  @Test
  void a_request_retried_after_unavailable_carries_the_same_messages_producer_and_sequence() throws Exception {
    Publisher publisher = client.publisher("orders", 64, new PublishBatching(128, 1 << 20, 1));
    List<CompletableFuture<PublishConfirm>> confirms = sendBehindAWaitingOne(publisher, 4);
    node.failNext("Publish", Status.UNAVAILABLE.withDescription("electing"));
    node.openGate();
    awaitAll(confirms);

    assertThat(node.publishes()).hasSize(3);
    PublishRequest failed = node.publishes().get(1);
    PublishRequest retried = node.publishes().get(2);
    assertThat(bodies(retried)).containsExactly("m1", "m2", "m3");
    assertThat(retried.getProducerId()).isEqualTo(failed.getProducerId());
    assertThat(retried.getSequence()).isEqualTo(failed.getSequence());
  }

  @Test
  void the_sends_of_a_request_confirmed_without_offsets_are_confirmed_without_offsets() throws Exception {
    node.confirmWithoutOffsets();
    Publisher publisher = client.publisher("local-q", 64, new PublishBatching(128, 1 << 20, 1));
    List<CompletableFuture<PublishConfirm>> confirms = sendBehindAWaitingOne(publisher, 4);
    node.openGate();
    for (CompletableFuture<PublishConfirm> c : confirms) {
      assertThat(c.get(WAIT_SECONDS, TimeUnit.SECONDS).offsets()).isEmpty();
    }
    assertThat(node.publishes()).hasSize(2);
    assertThat(publisher.outstanding()).isZero();
  }

  @Test
  void without_batching_every_send_is_a_request_of_its_own_sent_at_once() throws Exception {
    Publisher publisher = client.publisher("orders", 64, PublishBatching.OFF);
    node.closeGate();
    List<CompletableFuture<PublishConfirm>> confirms = send(publisher, 0, 5);
    awaitRequests(5);
    node.openGate();
    awaitAll(confirms);
    assertThat(node.publishes()).allMatch(r -> r.getMessagesCount() == 1);
  }

  @Test
  void bad_batching_settings_are_refused_with_the_reason() {
    assertThatThrownBy(() -> new PublishBatching(0, 1, 1)).hasMessageContaining("maxMessages");
    assertThatThrownBy(() -> new PublishBatching(1, 0, 1)).hasMessageContaining("maxBytes");
    assertThatThrownBy(() -> new PublishBatching(1, 1, 0)).hasMessageContaining("maxRequests");
  }
}
