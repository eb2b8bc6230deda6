package io.qraft.ops.server;

import static io.qraft.ops.server.OneNodeServer.whenReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.NackRequest;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.api.v1.QueueServiceGrpc;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * The request fields of the queue limits that a node checks before anything reaches a log, on
 * a one-node cluster in this JVM over gRPC: a nack's requeue delay, a consumer's own timeout and
 * a message's "ttl-ms" header. A bad one is refused with INVALID_ARGUMENT and a sentence naming
 * the field, and changes nothing; the largest good one is taken.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LimitFieldsEndpointTest extends OnOneNode {

  private void declare(String queue) throws InterruptedException {
    whenReady(() -> server.queues().declareQueue(DeclareQueueRequest.newBuilder().setQueue(queue).build()));
  }

  private void publish(String queue, Message... messages) throws InterruptedException {
    PublishRequest.Builder request = PublishRequest.newBuilder().setQueue(queue);
    for (Message m : messages) {
      request.addMessages(m);
    }
    whenReady(() -> server.queues().publish(request.build()));
  }

  private static Message body(String text) {
    return Message.newBuilder().setBody(ByteString.copyFromUtf8(text)).build();
  }

  private static Message withTtl(String text, String ttl) {
    return body(text).toBuilder().putHeaders("ttl-ms", ttl).build();
  }

  /** Takes the one ready message of the queue without settling it. */
  private Delivery outstanding(String queue) throws InterruptedException {
    publish(queue, body("held"));
    return server.queues().get(GetRequest.newBuilder().setQueue(queue).build()).getDeliveries(0);
  }

  private static NackRequest nack(Delivery d, boolean requeue, long requeueAfterMs) {
    return NackRequest.newBuilder().setQueue(d.getQueue()).addTags(d.getTag()).setRequeue(requeue)
        .setRequeueAfterMs(requeueAfterMs).build();
  }

  /** Acks the delivery: it succeeds only while the delivery is still outstanding (nothing settled it). */
  private int ack(Delivery d) {
    return server.queues().ack(AckRequest.newBuilder().setQueue(d.getQueue()).addTags(d.getTag()).build()).getAcked();
  }

  private static void refused(String reason, Executable call) {
    assertThatThrownBy(call::execute).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as("code (%s)", e.getStatus().getDescription())
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains(reason)
          .doesNotContain("Exception", "java.", "io.grpc", "io.qraft");
    });
  }

  @Test
  void aNackDelayWithoutRequeueIsRefusedAndTheDeliveryStaysOutstanding() throws Exception {
    declare("nack-drop-delayed");
    Delivery d = outstanding("nack-drop-delayed");

    refused("applies only to messages that go back to the queue: set requeue",
        () -> server.queues().nack(nack(d, false, 5_000)));

    assertThat(ack(d)).isEqualTo(1);
  }

  @Test
  void aNackDelayLongerThanADayIsRefusedAndADayIsTaken() throws Exception {
    declare("nack-delayed");
    Delivery d = outstanding("nack-delayed");

    refused("requeue delay 86400001 ms is too long; the most is 86400000 ms",
        () -> server.queues().nack(nack(d, true, 86_400_001)));
    refused("requeue delay 18446744073709551615 ms is too long",
        () -> server.queues().nack(nack(d, true, -1)));
    refused("requeue delay 9223372036854775808 ms is too long",
        () -> server.queues().nack(nack(d, true, Long.MIN_VALUE)));

    assertThat(server.queues().nack(nack(d, true, 86_400_000)).getNacked()).isEqualTo(1);
  }

  @Test
  void aConsumerTimeoutPast2To32Minus1MsIsRefusedAnd2To32Minus1IsTaken() throws Exception {
    declare("timed-consumer");
    refused("consumer timeout 4294967296 ms is too long; the most is 4294967295 ms",
        () -> firstDelivery(ConsumeRequest.newBuilder().setQueue("timed-consumer").setConsumerTimeoutMs(4_294_967_296L)
            .build()));
    refused("consumer timeout 18446744073709551615 ms is too long",
        () -> firstDelivery(ConsumeRequest.newBuilder().setQueue("timed-consumer").setConsumerTimeoutMs(-1).build()));

    publish("timed-consumer", body("for the consumer"));
    Delivery d = firstDelivery(ConsumeRequest.newBuilder().setQueue("timed-consumer").setConsumerId("app-1")
        .setConsumerTimeoutMs(4_294_967_295L).build());
    assertThat(d.getMessage().getBody().toStringUtf8()).isEqualTo("for the consumer");
  }

  /** Opens the stream, takes its first delivery and cancels it. */
  private Delivery firstDelivery(ConsumeRequest request) throws Exception {
    try (Context.CancellableContext stream = Context.current().withCancellation()) {
      return stream.call(() -> whenReady(() -> server.queues().consume(request).next()));
    }
  }

  @Test
  void aBadTtlHeaderIsRefusedNamingTheMessageAndTheHeaderAndNothingOfItsBatchIsStored() throws Exception {
    declare("ttl");
    for (String bad : new String[] {"", "soon", "-1", "+5", "1.5", " 60000", "60s", "4294967296",
        "99999999999999999999999999999"}) {
      refused("message 1 has header 'ttl-ms'", () -> publish("ttl", body("fine"), withTtl("bad", bad)));
    }
    refused("whole number of milliseconds from 0 to 4294967295",
        () -> publish("ttl", withTtl("bad", "1e3")));

    PublishResponse streamed = publishOnAStream(PublishRequest.newBuilder().setQueue("ttl").setCorrelationId(7)
        .addMessages(withTtl("bad", "tomorrow")).build());
    assertThat(streamed.getCorrelationId()).isEqualTo(7);
    assertThat(streamed.getErrorCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(streamed.getErrorMessage()).contains("message 0 has header 'ttl-ms' 'tomorrow'");

    assertThat(server.queues().get(GetRequest.newBuilder().setQueue("ttl").setCount(100).build())
        .getDeliveriesList()).as("messages stored by the refused publishes").isEmpty();

    // Both bounds are taken; a ttl-ms of 0 expires the message at once, so only the other is there.
    publish("ttl", withTtl("now", "0"), withTtl("longest", "4294967295"));
    assertThat(server.queues().get(GetRequest.newBuilder().setQueue("ttl").setCount(100).setAck(true).build())
        .getDeliveriesList()).extracting(d -> d.getMessage().getBody().toStringUtf8())
        .containsExactly("longest");
  }

  /** Sends one request on a PublishStream and returns its answer. */
  private PublishResponse publishOnAStream(PublishRequest request) throws InterruptedException {
    BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    StreamObserver<PublishRequest> requests = QueueServiceGrpc.newStub(server.channel())
        .withDeadlineAfter(60, TimeUnit.SECONDS).publishStream(new StreamObserver<>() {
          @Override
          public void onNext(PublishResponse response) {
            answers.add(response);
          }

          @Override
          public void onError(Throwable t) {
            answers.add(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(request);
    Object answer = answers.poll(60, TimeUnit.SECONDS);
    requests.onCompleted();
    assertThat(answer).as("the stream's answer").isInstanceOf(PublishResponse.class);
    return (PublishResponse) answer;
  }
}
