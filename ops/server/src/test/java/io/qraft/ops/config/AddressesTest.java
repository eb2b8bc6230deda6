package io.qraft.ops.config;

import io.qraft.api.HostPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void aHostPortPrintsAsItIsWrittenAndParsesBack() {
        for (String text : new String[] {"127.0.0.1:5691", "node-1.example.com:1", "[::1]:65535"}) {
            assertThat(HostPort.parse(text).toString()).isEqualTo(text);
        }
        assertThat(HostPort.parse("[::1]:5691").host()).isEqualTo("::1");
    }

    @Test
    void anIpv6HostWithoutBracketsIsRefused() {
        assertThatThrownBy(() -> HostPort.parse("::1:5691")).hasMessageContaining("write it in brackets");
    }

    @Test
    void aPortThatIsNotANumberIsRefused() {
        assertThatThrownBy(() -> HostPort.parse("host:http")).hasMessageContaining("is not a number");
        assertThatThrownBy(() -> HostPort.parse("host:0")).hasMessageContaining("not in 1..65535");
        assertThatThrownBy(() -> HostPort.parse(":5691")).hasMessageContaining("the host is empty");
    }

    @Test
    void wildcardHostsAreRecognised() {
        assertThat(HostPort.parse("0.0.0.0:1").isWildcard()).isTrue();
        assertThat(HostPort.parse("[::]:1").isWildcard()).isTrue();
        assertThat(HostPort.parse("127.0.0.1:1").isWildcard()).isFalse();
    }

    @Test
    void aClusterMemberPrintsAsItIsWrittenAndParsesBack() {
        ClusterMember member = ClusterMember.parse(" n-1@[fd00::1]:5691:6691 ");

        assertThat(member).isEqualTo(new ClusterMember("n-1", "fd00::1", 5691, 6691));
        assertThat(member.toString()).isEqualTo("n-1@[fd00::1]:5691:6691");
        assertThat(member.raftAddress().toString()).isEqualTo("[fd00::1]:6691");
    }

    @Test
    void aClusterMemberUsingOnePortForBothEndpointsIsRefused() {
        assertThatThrownBy(() -> ClusterMember.parse("n1@h:5691:5691")).hasMessageContaining("both gRPC and Raft");
    }

    @Test
    void anEmptyEntryInAClusterListIsRefused() {
        assertThatThrownBy(() -> ClusterMember.parseList("n1@h:1:2,,n2@i:1:2")).hasMessage("an entry is empty");
    }
}
