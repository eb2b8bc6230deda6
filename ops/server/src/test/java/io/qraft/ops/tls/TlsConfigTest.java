package io.qraft.ops.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.ops.config.ConfigException;
import io.qraft.ops.config.NodeConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls.* keys: set together, files checked at load, one-line errors naming the key. */
class TlsConfigTest {

    @TempDir
    static Path dir;

    static Path certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCerts.make(dir.resolve("a"), "test CA A", "n1", "n2");
    }

    private static String conf(Path cert, Path key, Path ca) {
        return "tls.cert_file = " + cert + "\ntls.key_file = " + key + "\ntls.ca_file = " + ca + "\n";
    }

    @Test
    void validFilesAreAccepted() {
        NodeConfig c = NodeConfig.parse(conf(certs.resolve("n1.pem"), certs.resolve("n1.key"), certs.resolve("ca.pem")),
            "qraft.conf");
        assertThat(c.tlsEnabled()).isTrue();
        assertThat(c.tlsCertFile()).isEqualTo(certs.resolve("n1.pem"));
        assertThat(NodeTls.of(c).enabled()).isTrue();
        assertThat(NodeTls.of(c).raft().enabled()).isTrue();
    }

    @Test
    void tlsIsOffByDefault() {
        NodeConfig c = NodeConfig.defaults();
        assertThat(c.tlsEnabled()).isFalse();
        assertThat(NodeTls.of(c).enabled()).isFalse();
        assertThat(NodeConfig.parse("tls.cert_file = none\ntls.key_file = none\ntls.ca_file = none\n", "x").tlsEnabled())
            .isFalse();
    }

    @Test
    void clientCertificatesNeedTls() {
        for (String mode : new String[] {"required", "optional"}) {
            assertThatThrownBy(() -> NodeConfig.parse("auth.enabled = true\ntls.client_auth = " + mode + "\n", "qraft.conf"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("qraft.conf, line 2, key 'tls.client_auth': expected none while TLS is off")
                .hasMessageContaining("tls.cert_file")
                .hasMessageContaining("found '" + mode + "'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        assertThatThrownBy(() -> NodeConfig.parse("tls.client_auth = always\n", "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("none, optional or required");
        assertThat(NodeConfig.defaults().tlsClientAuth()).isEqualTo(ClientAuthMode.NONE);
        NodeConfig c = NodeConfig.parse(conf(certs.resolve("n1.pem"), certs.resolve("n1.key"), certs.resolve("ca.pem"))
            + "tls.client_auth = required\n", "qraft.conf");
        assertThat(c.tlsClientAuth()).isEqualTo(ClientAuthMode.REQUIRED);
        assertThat(NodeTls.of(c).enabled()).isTrue();
    }

    @Test
    void aGarbageCertificateNamesTlsCertFile() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "this is not a certificate\n");
        assertThatThrownBy(() -> NodeConfig.parse(conf(garbage, certs.resolve("n1.key"), certs.resolve("ca.pem")),
            "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("qraft.conf, line 1, key 'tls.cert_file': expected PEM X.509 certificates")
            .hasMessageContaining(garbage.toString())
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aCorruptCertificateBodyNamesTlsCertFile() throws Exception {
        Path corrupt = Files.writeString(dir.resolve("corrupt.pem"),
            "-----BEGIN CERTIFICATE-----\nAAAAAAAAAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> NodeConfig.parse(conf(corrupt, certs.resolve("n1.key"), certs.resolve("ca.pem")),
            "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("qraft.conf, line 1, key 'tls.cert_file': expected PEM X.509 certificates")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aMissingOrUnreadableFileNamesItsKey() throws Exception {
        assertThatThrownBy(() -> NodeConfig.parse(
            conf(dir.resolve("nope.pem"), certs.resolve("n1.key"), certs.resolve("ca.pem")), "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("key 'tls.cert_file'")
            .hasMessageContaining("no such file");
        assertThatThrownBy(() -> NodeConfig.parse(
            conf(certs.resolve("n1.pem"), certs.resolve("n1.key"), dir), "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("qraft.conf, line 3, key 'tls.ca_file'");
    }

    @Test
    void theKeyMustBePkcs8AndBelongToTheCertificate() throws Exception {
        assertThatThrownBy(() -> NodeConfig.parse(
            conf(certs.resolve("n1.pem"), certs.resolve("n2.key"), certs.resolve("ca.pem")), "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("qraft.conf, line 2, key 'tls.key_file': expected the private key of the certificate");
        Path pem = Files.writeString(dir.resolve("cert-as-key.pem"), Files.readString(certs.resolve("n1.pem")));
        assertThatThrownBy(() -> NodeConfig.parse(
            conf(certs.resolve("n1.pem"), pem, certs.resolve("ca.pem")), "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("key 'tls.key_file': expected a PEM PKCS#8 private key");
        Path traditional = Files.writeString(dir.resolve("traditional.key"),
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> NodeConfig.parse(
            conf(certs.resolve("n1.pem"), traditional, certs.resolve("ca.pem")), "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("key 'tls.key_file': expected a PKCS#8 key")
            .hasMessageContaining("openssl pkcs8 -topk8");
    }

    @Test
    void theThreeKeysGoTogether() {
        assertThatThrownBy(() -> NodeConfig.parse("tls.cert_file = " + certs.resolve("n1.pem") + "\n", "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("qraft.conf, key 'tls.key_file' (not set, default in use): expected a file, "
                + "since tls.cert_file is set (line 1");
        assertThatThrownBy(() -> NodeConfig.parse("tls.ca_file = " + certs.resolve("ca.pem") + "\n", "qraft.conf"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("key 'tls.cert_file' (not set, default in use)");
    }

    /** The node process itself: a garbage certificate stops it at start with one line naming the key. */
    @Test
    void aNodeWithAGarbageCertificateStopsAtStartWithOneLine() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage2.pem"), "garbage\n");
        Path conf = Files.writeString(dir.resolve("qraft.conf"), "node.data_dir = " + dir.resolve("data") + "\n"
            + conf(garbage, certs.resolve("n1.key"), certs.resolve("ca.pem")));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        cp = Arrays.stream(cp.split(File.pathSeparator)).filter(e -> !e.endsWith("test-classes"))
            .collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", cp,
            "io.qraft.ops.server.ServerMain", "--config", conf.toString()).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err.strip().lines().toList()).hasSize(1);
        assertThat(err).startsWith("qraft-server: " + conf + ", line 2, key 'tls.cert_file': expected PEM X.509");
    }
}
