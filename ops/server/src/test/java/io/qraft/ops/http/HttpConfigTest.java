package io.qraft.ops.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.ops.config.ConfigException;
import io.qraft.api.HostPort;
import io.qraft.ops.config.NodeConfig;
import org.junit.jupiter.api.Test;

/** listeners.http and the metrics keys are checked like every other key: one line naming the key. */
class HttpConfigTest {

  @Test
  void defaults() {
    NodeConfig c = NodeConfig.defaults();
    assertThat(c.httpListener()).isEqualTo(new HostPort("0.0.0.0", 15691));
    assertThat(c.metricsPerQueue()).isTrue();
    assertThat(c.metricsPerQueueMax()).isEqualTo(1000);
  }

  @Test
  void aBadPortIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> NodeConfig.parse("listeners.http = 127.0.0.1:70000\n", "f.conf"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("f.conf, line 1, key 'listeners.http'")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> NodeConfig.parse("listeners.http = localhost\n", "f.conf"))
        .hasMessageStartingWith("f.conf, line 1, key 'listeners.http'");
  }

  @Test
  void anUnknownKeyNearItIsRefusedWithASuggestion() {
    assertThatThrownBy(() -> NodeConfig.parse("listeners.htp = 127.0.0.1:15691\n", "f.conf"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("listeners.htp").hasMessageContaining("listeners.http");
  }

  @Test
  void theHttpPortCollidesWithNeitherGrpcNorRaft() {
    assertThatThrownBy(() -> NodeConfig.parse(
        "listeners.grpc = 127.0.0.1:7000\nlisteners.http = 127.0.0.1:7000\n", "f.conf"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("f.conf, line 2, key 'listeners.http'")
        .hasMessageContaining("listeners.grpc");
    assertThatThrownBy(() -> NodeConfig.parse(
        "listeners.http = 0.0.0.0:7001\nlisteners.raft = 127.0.0.1:7001\n", "f.conf"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("f.conf, line 2, key 'listeners.raft'")
        .hasMessageContaining("listeners.http");
    // Other interfaces may share a port.
    assertThat(NodeConfig.parse("listeners.grpc = 127.0.0.1:7002\nlisteners.http = 127.0.0.2:7002\n", "f.conf")
        .httpListener().port()).isEqualTo(7002);
  }

  @Test
  void theMetricsKeysAreChecked() {
    assertThatThrownBy(() -> NodeConfig.parse("metrics.per_queue = yes\n", "f.conf"))
        .hasMessageStartingWith("f.conf, line 1, key 'metrics.per_queue'");
    assertThatThrownBy(() -> NodeConfig.parse("metrics.per_queue_max = -1\n", "f.conf"))
        .hasMessageStartingWith("f.conf, line 1, key 'metrics.per_queue_max'");
    NodeConfig off = NodeConfig.parse("metrics.per_queue = false\nmetrics.per_queue_max = 5\n", "f.conf");
    assertThat(off.metricsPerQueue()).isFalse();
    assertThat(off.metricsPerQueueMax()).isEqualTo(5);
  }
}
