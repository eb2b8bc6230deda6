package io.qraft.log;

import java.nio.file.Path;
import java.util.Objects;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * TLS of the Raft traffic between nodes: mutual TLS, each node presenting its certificate and
 * trusting only peers whose certificate chains to the CA bundle. The files were checked by the
 * node's config (readable, parseable PEM); Ratis reads them again when its channels open.
 *
 * <p>Ratis takes TLS through {@link Parameters}, not properties: {@link #parameters()} is given
 * to the Raft server and to every Raft client a node makes. One {@link GrpcTlsConfig} for the
 * server, client and admin services alike (all share the Raft port). Immutable.
 *
 * @param certFile PEM certificate chain of this node (server and client authentication)
 * @param keyFile PEM PKCS#8 private key of that certificate
 * @param caFile PEM CA bundle a peer's certificate must chain to
 */
public record TlsSettings(Path certFile, Path keyFile, Path caFile) {

  /** Plaintext Raft. */
  public static final TlsSettings NONE = new TlsSettings(null, null, null);

  public TlsSettings {
    if ((certFile == null) != (keyFile == null) || (certFile == null) != (caFile == null)) {
      throw new IllegalArgumentException("certFile, keyFile and caFile go together: all set or none");
    }
  }

  public static TlsSettings of(Path certFile, Path keyFile, Path caFile) {
    return new TlsSettings(Objects.requireNonNull(certFile), Objects.requireNonNull(keyFile),
        Objects.requireNonNull(caFile));
  }

  public boolean enabled() {
    return certFile != null;
  }

  /** New Ratis parameters carrying this TLS (none when disabled); a fresh instance each call. */
  public Parameters parameters() {
    Parameters p = new Parameters();
    if (enabled()) {
      GrpcTlsConfig tls = new GrpcTlsConfig(keyFile.toFile(), certFile.toFile(), caFile.toFile(), true);
      // TLS.setConf is the fallback of Server, Client and Admin; set each too, so nothing depends
      // on that fallback.
      GrpcConfigKeys.TLS.setConf(p, tls);
      GrpcConfigKeys.Server.setTlsConf(p, tls);
      GrpcConfigKeys.Client.setTlsConf(p, tls);
      GrpcConfigKeys.Admin.setTlsConf(p, tls);
    }
    return p;
  }
}
