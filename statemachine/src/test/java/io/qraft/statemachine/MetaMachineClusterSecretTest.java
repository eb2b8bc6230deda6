package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.qraft.api.HardLimits;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.SetClusterSecret;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The nodes' shared secret: set once (the first committed wins), kept by snapshots, checked for size. */
class MetaMachineClusterSecretTest {

  private static MetaCommand secret(int fill, int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) fill);
    return MetaCommand.newBuilder().setSetClusterSecret(SetClusterSecret.newBuilder()
        .setSecret(ByteString.copyFrom(bytes))).build();
  }

  @Test
  void theFirstSecretWinsOnEveryReplica() {
    MetaMachine a = new MetaMachine();
    MetaMachine b = new MetaMachine();
    for (MetaMachine m : new MetaMachine[] {a, b}) {
      assertThat(m.clusterSecret().isEmpty()).isTrue();
      m.apply(1, secret(1, HardLimits.CLUSTER_SECRET_BYTES));
      m.apply(2, secret(2, HardLimits.CLUSTER_SECRET_BYTES));
    }
    assertThat(a.clusterSecret().byteAt(0)).isEqualTo((byte) 1);
    assertThat(a.clusterSecret()).isEqualTo(b.clusterSecret());
  }

  @Test
  void aSnapshotKeepsTheSecret() {
    MetaMachine a = new MetaMachine();
    a.apply(1, secret(7, HardLimits.CLUSTER_SECRET_BYTES));
    MetaMachine restored = new MetaMachine();
    restored.load(a.export());
    assertThat(restored.clusterSecret()).isEqualTo(a.clusterSecret());
  }

  @Test
  void aSecretOfTheWrongSizeIsRefusedAndChangesNothing() {
    MetaMachine a = new MetaMachine();
    MetaResult r = a.apply(1, secret(3, 5));
    assertThat(r.getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);
    assertThat(r.getErrorMessage()).contains("32 bytes");
    assertThat(a.clusterSecret().isEmpty()).isTrue();
  }
}
