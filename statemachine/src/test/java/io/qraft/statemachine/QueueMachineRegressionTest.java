package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import org.junit.jupiter.api.Test;

class QueueMachineRegressionTest {
  @Test
  void aDeliveryToAnEmptyConsumerIdIsRefusedBecauseItWouldReadBackAsReturned() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    shard.applyOk(Cmd.publish("q", "m0"));
    assertThat(shard.apply(Cmd.deliver("q", "", 1)).getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);
    assertThat(shard.record("q").getUnacked()).isZero();
  }

  @Test
  void aMaxCountAboveTwoToTheThirtyFirstMeansAllReadyMessages() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    shard.applyOk(Cmd.publish("q", "a", "b", "c"));
    assertThat(shard.applyOk(Cmd.deliver("q", "c", -1)).getDeliveriesCount()).isEqualTo(3);
  }

  @Test
  void aSettleWithAnUnknownOutcomeIsRefusedAndRemovesNothing() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    shard.applyOk(Cmd.publish("q", "a"));
    shard.deliver("q", "c", 1);
    ShardCommand unknown = ShardCommand.newBuilder().setSettle(Settle.newBuilder().setQueue("q")
        .addTags(Cmd.tag(0, 1)).setOutcomeValue(42)).build();
    assertThat(shard.apply(unknown).getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);
    assertThat(shard.record("q").getMessages()).isEqualTo(1);
  }
}
