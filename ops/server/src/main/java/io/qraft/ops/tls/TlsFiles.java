package io.qraft.ops.tls;

import io.qraft.ops.config.ConfigException;
import io.qraft.ops.config.ConfigKey;
import io.qraft.ops.config.NodeConfig;
import io.qraft.ops.config.NodeConfigKeys;
import io.qraft.api.PemFiles;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Checks the {@code tls.*} keys of a node configuration before anything starts: the three files are
 * set together or not at all, and {@code tls.client_auth} other than none needs them; each file is readable; the certificate and CA files hold PEM X.509
 * certificates; the key file holds a PEM PKCS#8 private key that belongs to the certificate. Any
 * failure is a {@link ConfigException} naming the key, on one line.
 *
 * <p>Also loads the files (through {@link PemFiles}, the one PEM reader) for the gRPC server, the
 * channels and Raft ({@link #load}), which are built from the loaded material, not from the files
 * again. Stateless; thread-safe.
 */
public final class TlsFiles {


    private TlsFiles() {
    }

    /** The loaded material of valid {@code tls.*} keys. */
    public record Material(Path certFile, Path keyFile, Path caFile, List<X509Certificate> chain,
                           PrivateKey key, List<X509Certificate> ca) {
    }

    /**
     * @throws ConfigException when the {@code tls.*} keys are not all set or all unset, or a file
     *                         is unreadable or not what its key expects
     */
    public static void check(NodeConfig config) {
        load(config);
    }

    /** The material of a configuration with TLS, or empty when TLS is off. */
    public static Optional<Material> load(NodeConfig config) {
        List<ConfigKey<Optional<Path>>> keys = List.of(
            NodeConfigKeys.TLS_CERT_FILE, NodeConfigKeys.TLS_KEY_FILE, NodeConfigKeys.TLS_CA_FILE);
        ConfigKey<Optional<Path>> firstSet = keys.stream().filter(k -> config.get(k).isPresent()).findFirst().orElse(null);
        if (firstSet == null) {
            // A client certificate is a TLS handshake's: without TLS nothing would check it, and a
            // cluster meant to demand one would silently take anyone.
            if (config.tlsClientAuth() != ClientAuthMode.NONE) {
                throw error(config, NodeConfigKeys.TLS_CLIENT_AUTH,
                    "none while TLS is off (set tls.cert_file, tls.key_file and tls.ca_file to check client certificates)",
                    "'" + config.tlsClientAuth().configValue() + "'");
            }
            return Optional.empty();
        }
        for (ConfigKey<Optional<Path>> k : keys) {
            if (config.get(k).isEmpty()) {
                throw error(config, k, "a file, since " + firstSet.name() + " is set ("
                    + where(config, firstSet) + "; the tls.* keys go together)", ConfigKey.NONE);
            }
        }
        Path certFile = config.tlsCertFile();
        Path keyFile = config.tlsKeyFile();
        Path caFile = config.tlsCaFile();
        List<X509Certificate> chain = certificates(config, NodeConfigKeys.TLS_CERT_FILE, certFile);
        PrivateKey key = privateKey(config, keyFile);
        List<X509Certificate> ca = certificates(config, NodeConfigKeys.TLS_CA_FILE, caFile);
        if (!PemFiles.belongs(key, chain.get(0))) {
            throw error(config, NodeConfigKeys.TLS_KEY_FILE,
                "the private key of the certificate in tls.cert_file (" + certFile + ")",
                quote(keyFile) + " (the key of another certificate)");
        }
        return Optional.of(new Material(certFile, keyFile, caFile, chain, key, ca));
    }

    private static List<X509Certificate> certificates(NodeConfig config, ConfigKey<Optional<Path>> key, Path file) {
        try {
            return PemFiles.certificates(file);
        } catch (PemFiles.PemException e) {
            throw error(config, key, e.expected(), quote(file) + " (" + e.problem() + ")");
        }
    }

    private static PrivateKey privateKey(NodeConfig config, Path file) {
        try {
            return PemFiles.privateKey(file);
        } catch (PemFiles.PemException e) {
            throw error(config, NodeConfigKeys.TLS_KEY_FILE, e.expected(), quote(file) + " (" + e.problem() + ")");
        }
    }

    private static ConfigException error(NodeConfig config, ConfigKey<?> key, String expected, String found) {
        return new ConfigException(config.source(), config.lineOf(key), key.name(), expected, found);
    }

    private static String where(NodeConfig config, ConfigKey<?> key) {
        int line = config.lineOf(key);
        return line > 0 ? "line " + line : "default";
    }

    private static String quote(Path file) {
        return "'" + file + "'";
    }
}
