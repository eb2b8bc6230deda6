package io.qraft.ops.faults;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The TLS material of one run, made with the distribution's {@code bin/qraft-certs} (what an
 * operator would use for a test cluster): a fresh CA and one certificate per node, valid for
 * the node's own address and for 127.0.0.1 (the bootstrap call comes from the node's host).
 */
final class Certificates {

  private final Path dir;

  Certificates(Path dir) {
    this.dir = dir;
  }

  Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** The node's tls.* configuration keys. */
  Map<String, String> nodeConfig(String id) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("tls.cert_file", dir.resolve(id + ".pem").toString());
    conf.put("tls.key_file", dir.resolve(id + ".key").toString());
    conf.put("tls.ca_file", caFile().toString());
    return conf;
  }

  /**
   * Makes the CA and the certificates of {@code nodes}. They are made a day in the past: a node
   * restarted with its clock moved back (clock_skew, -2h) would otherwise find every certificate
   * not yet valid, and the fault would become a TLS outage instead of a skewed clock.
   */
  void make(Path distribution, List<SuiteNode> nodes) {
    for (SuiteNode n : nodes) {
      // One call per node, so that each certificate names its own address; the CA made by the
      // first call is reused by the next ones.
      Cmd.check(List.of("faketime", "-f", "-1d",
          distribution.resolve("bin/qraft-certs").toString(), "--dir", dir.toString(),
          "--nodes", n.id(), "--hosts", n.ip() + ",127.0.0.1"), null);
    }
  }
}
