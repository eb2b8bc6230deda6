package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

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
}
