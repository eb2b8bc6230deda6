package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.client.TlsCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PEM reader's answers to files that are not what they should be, and to a good key. */
class PemFilesTest {
  @TempDir
  Path dir;

  @Test
  void aMissingFileIsNamedWithWhatItShouldHold() {
    Path missing = dir.resolve("ca.pem");
    assertThatThrownBy(() -> PemFiles.certificates(missing))
        .isInstanceOfSatisfying(PemFiles.PemException.class, e -> {
          assertThat(e.expected()).isEqualTo("a readable PEM certificate file");
          assertThat(e.problem()).isEqualTo("no such file");
        })
        .hasMessageContaining(missing.toString());
  }

  @Test
  void aFileWithoutCertificatesSaysSo() throws Exception {
    Path text = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    assertThatThrownBy(() -> PemFiles.certificates(text))
        .isInstanceOfSatisfying(PemFiles.PemException.class,
            e -> assertThat(e.problem()).isEqualTo("no certificate in it"));
  }

  @Test
  void aTraditionalRsaKeyGetsTheCommandThatConvertsIt() throws Exception {
    Path key = Files.writeString(dir.resolve("key.pem"),
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> PemFiles.privateKey(key))
        .isInstanceOfSatisfying(PemFiles.PemException.class, e -> {
          assertThat(e.expected()).startsWith("a PKCS#8 key");
          assertThat(e.problem()).contains("openssl pkcs8 -topk8 -nocrypt");
        });
  }

  @Test
  void aPkcs8KeyIsRead() throws Exception {
    for (String algorithm : new String[] {"RSA", "EC"}) {
      KeyPair pair = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
      Path file = Files.writeString(dir.resolve(algorithm + ".pem"), "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n");
      PrivateKey read = PemFiles.privateKey(file);
      assertThat(read.getAlgorithm()).isEqualTo(algorithm);
      assertThat(read.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    }
  }

  @Test
  void clientCredentialsRefuseAnUnreadableCaFileByName() {
    Path missing = dir.resolve("nowhere/ca.pem");
    assertThatThrownBy(() -> TlsCredentials.trusting(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + missing + "' is not a readable PEM certificate file: no such file");
  }

  @Test
  void aClientCertificateNeedsItsKey() {
    assertThatThrownBy(() -> TlsCredentials.of(dir.resolve("ca.pem"), dir.resolve("cert.pem"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs its key file");
  }
}
