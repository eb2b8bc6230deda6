package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.retry.RetryPolicy;
import org.junit.jupiter.api.Test;

class GroupClientsTest {

  private final LogSettings settings = InProcessCluster.settings("n1", Path.of("data"),
      List.of(new NodeAddress("n1", "127.0.0.1", 7001, 7002)));

  @Test
  void aForwardedRequestWaitsAtMostAFortiethOfTheElectionTimeoutBetweenAttempts() {
    RetryPolicy policy = GroupClients.forwardingRetry(settings);
    long fortiethMs = settings.electionTimeoutMin().toMillis() / 40;

    for (int failures : new int[] {0, 1, 2, 5, 10, 100}) {
      RetryPolicy.Action action = policy.handleAttemptFailure(() -> failures);
      assertThat(action.shouldRetry()).as("after %d failures", failures).isTrue();
      // Ratis draws each sleep from half to one and a half of the policy's value: sample the top.
      long longest = 0;
      for (int i = 0; i < 200; i++) {
        longest = Math.max(longest, action.getSleepTime().toLong(TimeUnit.MILLISECONDS));
      }
      // At most one and a half fortieths; the draw may land on that bound itself (37.5 ms
      // read as 37 when the fortieth is 25 ms), so the bound is rounded up and included.
      assertThat(longest).as("sleep after %d failures", failures)
          .isLessThanOrEqualTo((long) Math.ceil(fortiethMs * 1.5));
    }
  }

  @Test
  void aForwardedRequestKeepsTryingThroughAWholeElectionEvenWhenEverySleepIsShort() {
    RetryPolicy policy = GroupClients.forwardingRetry(settings);
    long maxSleepMs = settings.electionTimeoutMin().toMillis() / 40;
    // Two of the longest election timeouts, with every sleep at its shortest (half the policy's value).
    int attempts = (int) (2 * settings.electionTimeoutMax().toMillis() / (maxSleepMs / 2));

    assertThat(policy.handleAttemptFailure(() -> attempts).shouldRetry()).isTrue();
    assertThat(policy.handleAttemptFailure(() -> Integer.MAX_VALUE).shouldRetry())
        .as("but not for ever: the caller's bound ends the call").isFalse();
  }
}
