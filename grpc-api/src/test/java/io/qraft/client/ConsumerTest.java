package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.Delivery;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsumerTest {

  private static final long WAIT_SECONDS = 30;

  private final InProcessCluster cluster = new InProcessCluster();
  private final BlockingQueue<Delivery> handled = new LinkedBlockingQueue<>();

  @AfterEach
  void closeCluster() throws Exception {
    cluster.close();
  }

  @Test
  void a_consumer_subscribes_again_after_its_stream_fails_with_unavailable() throws Exception {
    FakeNode leader = cluster.leader("b");
    leader.nextStream((request, stream) -> {
      stream.onNext(FakeNode.delivery(request.getQueue(), 1));
      stream.onError(Status.UNAVAILABLE.withDescription("leadership moved").asRuntimeException());
    });
    leader.nextStream((request, stream) -> stream.onNext(FakeNode.delivery(request.getQueue(), 2)));
    QraftClient client = cluster.client(leader.name);

    Consumer consumer = client.consume("orders", 10, handled::add);

    assertThat(next().getTag().getOffset()).isEqualTo(1);
    assertThat(next().getTag().getOffset()).isEqualTo(2);
    assertThat(leader.calls("Consume")).isEqualTo(2);
    assertThat(consumer.isClosed()).isFalse();
  }

  @Test
  void a_consumer_that_starts_at_a_follower_subscribes_at_the_leader_it_names()
      throws Exception {
    FakeNode leader = cluster.leader("b");
    RedirectingNode follower = cluster.follower("a", leader);
    leader.nextStream((request, stream) -> stream.onNext(FakeNode.delivery(request.getQueue(), 5)));
    QraftClient client = cluster.client(follower.name);

    client.consume("orders", 0, handled::add);

    assertThat(next().getTag().getOffset()).isEqualTo(5);
    assertThat(follower.calls()).isEqualTo(1);
  }

  @Test
  void closing_a_consumer_cancels_its_stream() throws Exception {
    FakeNode leader = cluster.leader("b");
    leader.nextStream((request, stream) -> stream.onNext(FakeNode.delivery(request.getQueue(), 1)));
    QraftClient client = cluster.client(leader.name);
    Consumer consumer = client.consume("orders", 10, handled::add);
    next();

    consumer.close();

    assertThat(leader.consumeCancelled.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(consumer.terminated().get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void a_consumer_stops_on_a_failure_that_retrying_cannot_fix() {
    FakeNode leader = cluster.leader("b");
    leader.failNext("Consume", Status.NOT_FOUND.withDescription("no queue 'orders'"));
    QraftClient client = cluster.client(leader.name);

    Consumer consumer = client.consume("orders", 10, handled::add);

    assertThatThrownBy(() -> consumer.terminated().get(WAIT_SECONDS, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(QraftException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.serverMessage()).isEqualTo("no queue 'orders'");
        });
    assertThat(consumer.isClosed()).isTrue();
    assertThat(leader.calls("Consume")).isEqualTo(1);
  }

  @Test
  void a_consumer_sends_its_consumer_timeout_on_every_stream_it_opens() throws Exception {
    FakeNode leader = cluster.leader("b");
    leader.nextStream((request, stream) -> {
      stream.onNext(FakeNode.delivery(request.getQueue(), 1));
      stream.onError(Status.UNAVAILABLE.withDescription("leadership moved").asRuntimeException());
    });
    leader.nextStream((request, stream) -> stream.onNext(FakeNode.delivery(request.getQueue(), 2)));
    QraftClient client = cluster.client(leader.name);

    client.consume("orders", 10, Duration.ofMillis(1_500), handled::add);
    next();
    next();
    client.consume("orders", 10, handled::add);

    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> consumes(leader).size() == 3);
    assertThat(consumes(leader)).extracting(ConsumeRequest::getConsumerTimeoutMs)
        .containsExactly(1_500L, 1_500L, 0L);
  }

  @Test
  void a_consumer_whose_delivery_outlived_its_timeout_stops_with_the_servers_message_and_does_not_subscribe_again()
      throws Exception {
    FakeNode leader = cluster.leader("b");
    leader.nextStream((request, stream) -> {
      stream.onNext(FakeNode.delivery(request.getQueue(), 1));
      stream.onError(Status.DEADLINE_EXCEEDED
          .withDescription("delivery 1 of queue 'orders' was not settled within 1500 ms; it went back to the queue")
          .asRuntimeException());
    });
    leader.nextStream((request, stream) -> stream.onNext(FakeNode.delivery(request.getQueue(), 2)));
    QraftClient client = cluster.client(leader.name);

    Consumer consumer = client.consume("orders", 10, Duration.ofMillis(1_500), handled::add);

    assertThatThrownBy(() -> consumer.terminated().get(WAIT_SECONDS, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(QraftException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
          assertThat(e.serverMessage()).contains("was not settled within 1500 ms");
        });
    assertThat(consumer.isClosed()).isTrue();
    assertThat(leader.calls("Consume")).isEqualTo(1);
  }

  @Test
  void a_consumer_timeout_that_is_negative_or_too_long_is_refused_before_anything_is_sent() {
    FakeNode leader = cluster.leader("b");
    QraftClient client = cluster.client(leader.name);

    assertThatThrownBy(() -> client.consume("orders", 10, Duration.ofMillis(-1), handled::add))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> client.consume("orders", 10, Duration.ofMillis(4_294_967_296L), handled::add))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 4294967295 ms");
    assertThat(leader.calls("Consume")).isZero();
  }

  @Test
  void a_handler_can_ack_through_the_client_and_keeps_receiving_after_it_throws()
      throws Exception {
    FakeNode leader = cluster.leader("b");
    leader.nextStream((request, stream) -> {
      stream.onNext(FakeNode.delivery(request.getQueue(), 1));
      stream.onNext(FakeNode.delivery(request.getQueue(), 2));
    });
    QraftClient client = cluster.client(leader.name);

    client.consume("orders", 10, delivery -> {
      if (delivery.getTag().getOffset() == 1) {
        throw new IllegalStateException("handler bug");
      }
      client.ack(delivery);
      handled.add(delivery);
    });

    assertThat(next().getTag().getOffset()).isEqualTo(2);
    assertThat(leader.calls("Ack")).isEqualTo(1);
  }

  private static List<ConsumeRequest> consumes(FakeNode node) {
    return node.requests.stream().filter(ConsumeRequest.class::isInstance).map(ConsumeRequest.class::cast).toList();
  }

  private Delivery next() throws InterruptedException {
    Delivery delivery = handled.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(delivery).as("a delivery within %d s", WAIT_SECONDS).isNotNull();
    return delivery;
  }
}
