package io.qraft.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The one reader of PEM files: certificates (X.509) and unencrypted PKCS#8 private keys, as
 * {@code bin/qraft-certs} and openssl write them; and the key and trust managers that TLS is
 * built from. The node (its client port, its forwarding channels and Raft), qraftctl and the SDK
 * all read their files here, so they accept and refuse the same files with the same reasons.
 *
 * <p>Stateless; thread-safe.
 */
public final class PemFiles {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private PemFiles() {}

  /** A file that is not what it should be: what was expected, and what is wrong with it. */
  public static final class PemException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String expected;
    private final String problem;

    PemException(Path file, String expected, String problem) {
      super("'" + file + "' is not " + expected + ": " + problem);
      this.expected = expected;
      this.problem = problem;
    }

    /** What the file should hold, e.g. "PEM X.509 certificates". */
    public String expected() {
      return expected;
    }

    /** What is wrong with it, e.g. "no such file". */
    public String problem() {
      return problem;
    }
  }

  /** The certificates of a PEM file, in order (a chain: the leaf first). */
  public static List<X509Certificate> certificates(Path file) {
    String text = read(file, "a readable PEM certificate file");
    List<X509Certificate> certs = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Matcher m = BLOCK.matcher(text);
      while (m.find()) {
        if (!m.group(1).equals("CERTIFICATE")) {
          continue;
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        Collection<? extends Certificate> c = factory.generateCertificates(new ByteArrayInputStream(der));
        c.forEach(x -> certs.add((X509Certificate) x));
      }
    } catch (CertificateException | IllegalArgumentException e) {
      throw new PemException(file, "PEM X.509 certificates", oneLine(e));
    }
    if (certs.isEmpty()) {
      throw new PemException(file, "PEM X.509 certificates (-----BEGIN CERTIFICATE-----)",
          "no certificate in it");
    }
    return certs;
  }

  /** The unencrypted PKCS#8 private key of a PEM file (RSA, EC, EdDSA or DSA). */
  public static PrivateKey privateKey(Path file) {
    String text = read(file, "a readable PEM private key file");
    Matcher m = BLOCK.matcher(text);
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
        throw new PemException(file, "a PKCS#8 key (-----BEGIN PRIVATE KEY-----)", "a '" + type
            + "'; convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
      }
    }
    throw new PemException(file, "a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----, unencrypted)",
        "no such key in it");
  }

  /** True when {@code key} is the private key of {@code cert}: it signs what the cert verifies. */
  public static boolean belongs(PrivateKey key, X509Certificate cert) {
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

  /** Trusts the certificates that chain to one of {@code ca}. */
  public static X509TrustManager trustManager(List<X509Certificate> ca) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < ca.size(); i++) {
        store.setCertificateEntry("ca-" + i, ca.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("the JVM cannot build a trust manager: " + e.getMessage(), e);
    }
  }

  /** Presents {@code chain} (leaf first), proven with {@code key}. */
  public static X509KeyManager keyManager(PrivateKey key, List<X509Certificate> chain) {
    try {
      char[] none = new char[0];
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setKeyEntry("key", key, none, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, none);
      return (X509KeyManager) factory.getKeyManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("the JVM cannot build a key manager: " + e.getMessage(), e);
    }
  }

  private static String read(Path file, String expected) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new PemException(file, expected, "no such file");
    } catch (IOException | SecurityException e) {
      throw new PemException(file, expected, "cannot read it: " + oneLine(e));
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replaceAll("\\s+", " ").strip();
  }
}
