package io.qraft.log;

import java.util.Objects;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * TLS of the Raft traffic between nodes: mutual TLS, each node presenting its certificate and
 * trusting only peers whose certificate chains to the CA bundle. The key and trust managers are
 * built by the node from the PEM files it read and checked at start (io.qraft.api.PemFiles).
 *
 * <p>Ratis takes TLS through {@link Parameters}, not properties: {@link #parameters()} is given
 * to the Raft server and to every Raft client a node makes. One {@link GrpcTlsConfig} for the
 * server, client and admin services alike (all share the Raft port). Immutable.
 *
 * @param keyManager presents this node's certificate chain (server and client authentication)
 * @param trustManager trusts the peers whose certificate chains to the CA bundle
 */
public record TlsSettings(X509KeyManager keyManager, X509TrustManager trustManager) {

  /** Plaintext Raft. */
  public static final TlsSettings NONE = new TlsSettings(null, null);

  public TlsSettings {
    if ((keyManager == null) != (trustManager == null)) {
      throw new IllegalArgumentException("keyManager and trustManager go together: both set or none");
    }
  }

  public static TlsSettings of(X509KeyManager keyManager, X509TrustManager trustManager) {
    return new TlsSettings(Objects.requireNonNull(keyManager), Objects.requireNonNull(trustManager));
  }

  public boolean enabled() {
    return keyManager != null;
  }

  /** New Ratis parameters carrying this TLS (none when disabled); a fresh instance each call. */
  public Parameters parameters() {
    Parameters p = new Parameters();
    if (enabled()) {
      GrpcTlsConfig tls = new GrpcTlsConfig(keyManager, trustManager, true);
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
