package io.qraft.ops.ctl;

import io.qraft.api.HostPort;
import io.qraft.client.BasicCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every qraftctl command takes: which nodes to ask, how to print, how long to wait.
 * They are inherited, so they may be given before or after the command name (a repeated
 * {@code --node} given on both sides keeps only the occurrences after the command).
 *
 * <p>Filled in by picocli while parsing; read afterwards by the one command that runs.
 */
public final class ConnectionOptions {

    /** Where qraftctl goes when no --node is given: a node on this machine with the default port. */
    public static final HostPort DEFAULT_NODE = new HostPort("127.0.0.1", 5691);

    @Option(names = "--node", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
        converter = Converters.HostPortConverter.class,
        description = "gRPC address of a node; repeat to name more, tried in order when one is unavailable "
            + "(default: 127.0.0.1:5691).")
    private List<HostPort> nodes = new ArrayList<>();

    @Option(names = "--format", paramLabel = "table|json", scope = ScopeType.INHERIT,
        converter = Converters.FormatConverter.class,
        description = "Output format: table (aligned columns) or json (default: table).")
    private Format format = Format.TABLE;

    @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT,
        converter = Converters.PositiveInt.class,
        description = "Time to wait for each call to answer (default: 10).")
    private int timeoutSeconds = 10;

    @Option(names = "--ca-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
        defaultValue = "${env:QRAFT_CA_FILE}",
        description = "PEM CA certificate(s) of a cluster over TLS (its tls.ca_file); connects over TLS "
            + "trusting them (default: $QRAFT_CA_FILE; unset: plaintext).")
    private Path caFile;

    @Option(names = "--cert-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
        defaultValue = "${env:QRAFT_CERT_FILE}",
        description = "PEM client certificate to present over TLS (with --ca-file and --key-file); on nodes "
            + "with tls.client_auth optional or required its subject CN names the user, no password needed "
            + "(default: $QRAFT_CERT_FILE; unset: none).")
    private Path certFile;

    @Option(names = "--key-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
        defaultValue = "${env:QRAFT_KEY_FILE}",
        description = "PEM PKCS#8 private key of --cert-file (default: $QRAFT_KEY_FILE).")
    private Path keyFile;

    @Option(names = "--user", paramLabel = "USER", scope = ScopeType.INHERIT,
        description = "User name to authenticate as, with the password from --password-file or "
            + "$QRAFT_PASSWORD; sent only over TLS (--ca-file) or to a loopback address; given with "
            + "--cert-file, the user named here is the one that counts "
            + "(default: $QRAFT_USER; unset: no credentials).")
    private String user;

    // A file, never the password itself: a command line is visible to every user of the machine.
    @Option(names = "--password-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
        description = "File whose first line is the password of --user "
            + "(default: the password in $QRAFT_PASSWORD).")
    private Path passwordFile;

    /** The nodes to ask, in order; never empty. */
    public List<HostPort> nodes() {
        return nodes.isEmpty() ? List.of(DEFAULT_NODE) : List.copyOf(nodes);
    }

    public Format format() {
        return format;
    }

    /** The CA file to trust over TLS, or null for plaintext. */
    public Path caFile() {
        return caFile;
    }

    /** The client certificate to present, or null for none. */
    public Path certFile() {
        return certFile;
    }

    /** The key of {@link #certFile()}, or null. */
    public Path keyFile() {
        return keyFile;
    }

    /**
     * Checks that the TLS options fit together.
     *
     * @throws IllegalArgumentException with a usage message
     */
    public void checkTls() {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException(certFile == null
                ? "--key-file needs --cert-file, the certificate it belongs to"
                : "--cert-file needs --key-file, its private key");
        }
        if (certFile != null && caFile == null) {
            throw new IllegalArgumentException("--cert-file needs --ca-file: a client certificate is presented "
                + "over TLS only");
        }
    }

    public Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    /**
     * The credentials to send, or null for none; see {@link BasicCredentials#fromCommandLine}.
     *
     * @param environment the environment variables, by name
     * @throws IllegalArgumentException with a usage message
     */
    public BasicCredentials credentials(Function<String, String> environment) {
        return BasicCredentials.fromCommandLine(user, passwordFile, environment);
    }
}
