package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

class RatisPropertiesTest {

  @Test
  void aQraftRatisSystemPropertySetsThatRatisKeyOverTheTunedValue() {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.Log.Appender.setBufferElementLimit(p, 64);
    Properties system = new Properties();
    system.setProperty("qraft.ratis.raft.server.log.appender.buffer.element-limit", "7");
    system.setProperty("qraft.ratis.not-a-raft-key", "x");
    system.setProperty("raft.server.log.segment.size.max", "1MB");

    RatisProperties.applyOverrides(p, system);

    assertThat(RaftServerConfigKeys.Log.Appender.bufferElementLimit(p)).isEqualTo(7);
    assertThat(p.get("not-a-raft-key")).as("only raft.* keys pass").isNull();
    assertThat(p.get("raft.server.log.segment.size.max")).as("only under the qraft.ratis. prefix").isNull();
  }

  @Test
  void aGroupRemembersRepliesLongerThanAnyRetryOfItsClientsButNotForAMinute() {
    List<NodeAddress> members = List.of(new NodeAddress("n1", "127.0.0.1", 7001, 7002));
    LogSettings settings = InProcessCluster.settings("n1", Path.of("data"), members);

    RaftProperties p = RatisProperties.of(settings);

    long expiryMs = RaftServerConfigKeys.RetryCache.expiryTime(p).toLong(java.util.concurrent.TimeUnit.MILLISECONDS);
    assertThat(expiryMs).as("a retried call is answered from the cache, not applied twice")
        .isGreaterThanOrEqualTo(2 * GroupClients.callBoundMs(settings));
    assertThat(expiryMs).as("replies held in the heap").isLessThan(60_000);
    assertThat(RaftServerConfigKeys.Log.segmentCacheNumMax(p)).isEqualTo(1);
  }

  @Test
  void aLeaderTriesAFollowerThatWasDownAgainWithinAHeartbeatIntervalForever() {
    List<NodeAddress> members = List.of(new NodeAddress("n1", "127.0.0.1", 7001, 7002));
    LogSettings settings = InProcessCluster.settings("n1", Path.of("data"), members);
    long heartbeatMs = settings.electionTimeoutMin().toMillis() / 2;

    RaftProperties p = RatisProperties.of(settings);
    org.apache.ratis.retry.RetryPolicy policy = org.apache.ratis.retry.RetryPolicy.parse(
        RaftServerConfigKeys.Log.Appender.retryPolicy(p));

    for (int failures : new int[] {1, 10, 11, 30, 31, 1_000, 100_000}) {
      org.apache.ratis.retry.RetryPolicy.Action action = policy.handleAttemptFailure(() -> failures);
      assertThat(action.shouldRetry()).as("after %d failures", failures).isTrue();
      // Each sleep is drawn from half to one and a half of the policy's value: sample the top.
      long longest = 0;
      for (int i = 0; i < 200; i++) {
        longest = Math.max(longest, action.getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS));
      }
      assertThat(longest).as("wait after %d failures", failures).isLessThan(heartbeatMs);
    }
  }
}
