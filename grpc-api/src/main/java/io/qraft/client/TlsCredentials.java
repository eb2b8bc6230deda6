package io.qraft.client;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.qraft.api.PemFiles;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The TLS credentials of a client channel to qraft nodes, from PEM files read by
 * {@link PemFiles}: trust in a CA bundle, and optionally a client certificate. Used by the SDK,
 * qraftctl and the tests alike.
 */
public final class TlsCredentials {
  private TlsCredentials() {}

  /**
   * Trusts the node certificates that chain to {@code caFile}; presents {@code certFile} (proven
   * with {@code keyFile}) when both are not null.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static ChannelCredentials of(Path caFile, Path certFile, Path keyFile) {
    Objects.requireNonNull(caFile, "caFile");
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("a client certificate needs its key file, and a key file its certificate");
    }
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder()
        .trustManager(PemFiles.trustManager(PemFiles.certificates(caFile)));
    if (certFile != null) {
      b.keyManager(PemFiles.keyManager(PemFiles.privateKey(keyFile), PemFiles.certificates(certFile)));
    }
    return b.build();
  }

  /** Trusts the node certificates that chain to {@code caFile}. */
  public static ChannelCredentials trusting(Path caFile) {
    return of(caFile, null, null);
  }
}
