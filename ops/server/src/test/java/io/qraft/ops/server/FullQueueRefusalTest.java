package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.client.LeaderHint;
import io.qraft.log.RequestException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A publish the shard refuses because its queue is full (max-length with reject-publish: the
 * publish's result carries OUT_OF_RANGE) reaches the client as OUT_OF_RANGE with the shard's
 * message, on Publish and on PublishStream: not as UNAVAILABLE or RESOURCE_EXHAUSTED, which the
 * SDK would send again.
 */
class FullQueueRefusalTest {
  private static final String FULL = "queue 'orders' holds its max-length of 10 messages (overflow reject-publish);"
      + " nothing was stored";

  /** As the endpoint's publish sees the refusal: a failed future of the publish's result. */
  private static StatusRuntimeException refusal() {
    return Errors.toStatus(new CompletionException(new RequestException(Status.Code.OUT_OF_RANGE.value(), FULL)),
        node -> "127.0.0.1:5691");
  }

  @Test
  void aFullQueueEndsAPublishWithOutOfRangeAndTheShardsMessage() {
    StatusRuntimeException status = refusal();

    assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(status.getStatus().getDescription()).isEqualTo(FULL);
    assertThat(status.getTrailers() == null ? null : status.getTrailers().get(LeaderHint.KEY))
        .as("a leader to retry at").isNull();
  }

  @Test
  void aFullQueueAnswersItsRequestOnAPublishStreamWithOutOfRangeAndTheShardsMessage() {
    PublishRequest request = PublishRequest.newBuilder().setQueue("orders").setCorrelationId(42).build();

    PublishResponse answer = QueueEndpoint.streamError(request, refusal());

    assertThat(answer.getCorrelationId()).isEqualTo(42);
    assertThat(answer.getErrorCode()).isEqualTo(Status.Code.OUT_OF_RANGE.value());
    assertThat(answer.getErrorMessage()).isEqualTo(FULL);
    assertThat(answer.getLeader()).isEmpty();
    assertThat(answer.getOffsetsList()).isEmpty();
  }
}
