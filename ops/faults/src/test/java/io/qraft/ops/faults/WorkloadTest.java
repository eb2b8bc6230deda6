package io.qraft.ops.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the workloads declare and which values they poison; no cluster needed. */
class WorkloadTest {

  private static Workload workload(WorkloadKind kind) {
    return new Workload(List.of(), null, kind, List.of("fq-0", "fq-1"), null, Duration.ofSeconds(8), 1);
  }

  @Test
  void theStandardWorkloadDeclaresPlainQueuesAndPoisonsNothing() {
    Workload w = workload(WorkloadKind.STANDARD);
    assertThat(w.declarations()).containsExactly(
        Map.entry("fq-0", Map.of("ack-mode", "quorum")), Map.entry("fq-1", Map.of("ack-mode", "quorum")));
    assertThat(w.poison(10)).isFalse();
  }

  @Test
  void eachQueueOfTheDeadLetterWorkloadComesAfterItsDeadLetterQueue() {
    Workload w = workload(WorkloadKind.DEAD_LETTER);
    assertThat(w.declarations().keySet()).containsExactly("fq-0-dead", "fq-0", "fq-1-dead", "fq-1");
    assertThat(w.declarations().get("fq-0-dead")).isEqualTo(Map.of("ack-mode", "quorum"));
    assertThat(w.declarations().get("fq-1")).isEqualTo(Map.of("ack-mode", "quorum",
        "delivery-limit", "3", "dead-letter-queue", "fq-1-dead"));
    assertThat(w.poison(10)).isTrue();
    assertThat(w.poison(20)).isTrue();
    assertThat(w.poison(11)).isFalse();
  }

  @Test
  void theApplicationUserMayUseTheDeadLetterQueues() {
    for (String queue : List.of("fq-0", "fq-12", "fq-0-dead")) {
      assertThat(queue).matches(FaultSuite.QUEUE_PATTERN);
    }
    assertThat("fq-0-deadx").doesNotMatch(FaultSuite.QUEUE_PATTERN);
    assertThat("other").doesNotMatch(FaultSuite.QUEUE_PATTERN);
  }
}
