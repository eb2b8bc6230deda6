package io.qraft.ops.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's certificates, made with the distribution's qraft-certs (from the source tree). */
class CertificatesTest {

  /** The distribution's layout in the source tree: bin/qraft-certs is there. */
  private static final Path DISTRIBUTION = Path.of("../dist/src/dist");

  @Test
  void eachNodeCertificateNamesItsAddressAndLoopbackAndStartsBeforeASkewedClock(
      @TempDir Path tmp) throws Exception {
    assumeTrue(Cmd.run("sh", "-c", "command -v openssl && command -v faketime").exit() == 0,
        "needs openssl and faketime");
    Path dir = tmp.resolve("tls");
    Certificates certificates = new Certificates(dir);
    List<SuiteNode> nodes = List.of(node(1, tmp), node(2, tmp));

    certificates.make(DISTRIBUTION, nodes);

    X509Certificate ca = read(certificates.caFile());
    for (SuiteNode n : nodes) {
      Map<String, String> conf = certificates.nodeConfig(n.id());
      X509Certificate cert = read(Path.of(conf.get("tls.cert_file")));
      cert.verify(ca.getPublicKey());
      Set<String> names = cert.getSubjectAlternativeNames().stream()
          .map(san -> String.valueOf(san.get(1))).collect(Collectors.toSet());
      assertEquals(Set.of(n.ip(), "127.0.0.1"), names);
      assertTrue(Files.exists(Path.of(conf.get("tls.key_file"))));
      assertEquals(certificates.caFile().toString(), conf.get("tls.ca_file"));
      // clock_skew moves a node's clock back by 2 h: its peers' certificates must be valid then.
      Instant skewed = Instant.now().minus(Duration.ofHours(2));
      assertTrue(cert.getNotBefore().toInstant().isBefore(skewed), cert.getNotBefore().toString());
      assertTrue(ca.getNotBefore().toInstant().isBefore(skewed), ca.getNotBefore().toString());
    }
  }

  private static SuiteNode node(int k, Path tmp) {
    ClusterAccess access = ClusterAccess.generate(tmp.resolve("tls/ca.pem"));
    return new SuiteNode(k, tmp.resolve("n" + k), DISTRIBUTION, Map.of(), 2, access);
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
