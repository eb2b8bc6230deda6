package io.qraft.ops.tls;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.qraft.api.PemFiles;
import io.qraft.log.TlsSettings;
import io.qraft.ops.config.NodeConfig;
import java.io.UncheckedIOException;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS of one node, from its {@code tls.*} keys: the gRPC server's context (a client certificate
 * must chain to {@code tls.ca_file}; it may be left out unless {@code tls.client_auth = required}:
 * see {@link ClientAuthMode}), the context of the
 * channels it opens to other nodes (forwarding, node status; trusts the CA and presents the node's
 * certificate) and the Raft settings (mutual TLS). All off when the keys are not set. Immutable.
 */
public final class NodeTls {

    private static final NodeTls OFF = new NodeTls(null, null, null, TlsSettings.NONE);

    private final TlsFiles.Material material;
    private final SslContext server;
    private final SslContext client;
    private final TlsSettings raft;

    private NodeTls(TlsFiles.Material material, SslContext server, SslContext client, TlsSettings raft) {
        this.material = material;
        this.server = server;
        this.client = client;
        this.raft = raft;
    }

    /** @throws io.qraft.ops.config.ConfigException when the tls.* keys are not valid */
    public static NodeTls of(NodeConfig config) {
        TlsFiles.Material m = TlsFiles.load(config).orElse(null);
        if (m == null) {
            return OFF;
        }
        try {
            // Built from the material TlsFiles read and checked, never from the files again.
            X509KeyManager keys = PemFiles.keyManager(m.key(), m.chain());
            X509TrustManager trust = PemFiles.trustManager(m.ca());
            SslContext server = GrpcSslContexts.configure(SslContextBuilder.forServer(keys))
                .trustManager(trust)
                // Other nodes call this port too (forwarding, status): they present their node
                // certificate (the client context below), so REQUIRED does not shut them out.
                .clientAuth(config.tlsClientAuth() == ClientAuthMode.REQUIRED ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
                .build();
            SslContext client = GrpcSslContexts.forClient()
                .trustManager(trust)
                .keyManager(keys)
                .build();
            return new NodeTls(m, server, client, TlsSettings.of(keys, trust));
        } catch (SSLException e) {
            throw new UncheckedIOException("TLS files " + m.certFile() + ", " + m.keyFile() + ", " + m.caFile()
                + " cannot be used: " + e.getMessage(), e);
        }
    }

    public boolean enabled() {
        return material != null;
    }

    /** The gRPC server's context; null when TLS is off. */
    public SslContext serverContext() {
        return server;
    }

    /** The context of channels to other nodes; null when TLS is off. */
    public SslContext forwardingContext() {
        return client;
    }

    /** TLS of the Raft traffic; {@link TlsSettings#NONE} when off. */
    public TlsSettings raft() {
        return raft;
    }
}
