package io.qraft.ops.tls;

import io.qraft.ops.config.ConfigException;
import io.qraft.ops.config.ConfigKey;
import io.qraft.ops.config.NodeConfig;
import io.qraft.ops.config.NodeConfigKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the {@code tls.*} keys of a node configuration before anything starts: the three are set
 * together or not at all; each file is readable; the certificate and CA files hold PEM X.509
 * certificates; the key file holds a PEM PKCS#8 private key that belongs to the certificate. Any
 * failure is a {@link ConfigException} naming the key, on one line.
 *
 * <p>Also loads the files for the gRPC server and channels ({@link #load}). Stateless; thread-safe.
 */
public final class TlsFiles {

    private static final Pattern PEM = Pattern.compile(
        "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

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
        if (!belongs(key, chain.get(0))) {
            throw error(config, NodeConfigKeys.TLS_KEY_FILE,
                "the private key of the certificate in tls.cert_file (" + certFile + ")",
                quote(keyFile) + " (the key of another certificate)");
        }
        return Optional.of(new Material(certFile, keyFile, caFile, chain, key, ca));
    }

    private static List<X509Certificate> certificates(NodeConfig config, ConfigKey<Optional<Path>> key, Path file) {
        String text = read(config, key, file, "a readable PEM certificate file");
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = PEM.matcher(text);
            while (m.find()) {
                if (!m.group(1).equals("CERTIFICATE")) {
                    continue;
                }
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                Collection<? extends Certificate> c = factory.generateCertificates(new ByteArrayInputStream(der));
                c.forEach(x -> certs.add((X509Certificate) x));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw error(config, key, "PEM X.509 certificates", quote(file) + " (" + oneLine(e) + ")");
        }
        if (certs.isEmpty()) {
            throw error(config, key, "PEM X.509 certificates (-----BEGIN CERTIFICATE-----)",
                quote(file) + " (no certificate in it)");
        }
        return certs;
    }

    private static PrivateKey privateKey(NodeConfig config, Path file) {
        ConfigKey<Optional<Path>> key = NodeConfigKeys.TLS_KEY_FILE;
        String text = read(config, key, file, "a readable PEM private key file");
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            if (type.equals("PRIVATE KEY")) {
                byte[] der;
                try {
                    der = Base64.getMimeDecoder().decode(m.group(2));
                } catch (IllegalArgumentException e) {
                    break;
                }
                for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "DSA")) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                    } catch (GeneralSecurityException e) {
                        // try the next algorithm
                    }
                }
                break;
            }
            if (type.endsWith("PRIVATE KEY")) {
                throw error(config, key, "a PKCS#8 key (-----BEGIN PRIVATE KEY-----)", quote(file) + " (a '" + type
                    + "'; convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW)");
            }
        }
        throw error(config, key, "a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----, unencrypted)",
            quote(file) + " (no such key in it)");
    }

    private static String read(NodeConfig config, ConfigKey<Optional<Path>> key, Path file, String expected) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw error(config, key, expected, quote(file) + " (no such file)");
        } catch (IOException | SecurityException e) {
            throw error(config, key, expected, quote(file) + " (cannot read it: " + oneLine(e) + ")");
        }
    }

    private static boolean belongs(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] challenge = "qraft tls key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
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

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }
}
