package io.qraft.ops.tls;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Makes certificates with the distribution's bin/qraft-certs; skips the test when openssl is missing. */
public final class TestCerts {

    // Tests run in the module directory.
    static final Path SCRIPT = Path.of("../dist/src/dist/bin/qraft-certs").toAbsolutePath();

    private TestCerts() {
    }

    public static void assumeOpenssl() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "command -v openssl").redirectErrorStream(true).start();
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl is not installed");
    }

    /**
     * A client certificate dir/CN.pem (key dir/CN.key) whose subject is CN={@code commonName},
     * signed by the CA already in dir (made by {@link #make}); as a node certificate, valid for
     * client authentication.
     */
    public static Path client(Path dir, String commonName) throws IOException, InterruptedException {
        if (!Files.isRegularFile(dir.resolve("ca.key"))) {
            throw new IllegalStateException("no CA in " + dir + ": make it first");
        }
        make(dir, "unused: the CA in dir is reused", commonName);
        return dir.resolve(commonName + ".pem");
    }

    /** A CA (dir/ca.pem) and, per node, dir/NODE.pem and dir/NODE.key for 127.0.0.1 and localhost. */
    public static Path make(Path dir, String caName, String... nodes) throws IOException, InterruptedException {
        assumeOpenssl();
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), "--dir", dir.toString(),
            "--nodes", String.join(",", nodes), "--hosts", "127.0.0.1,localhost", "--ca-name", caName)
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("qraft-certs failed: " + out);
        }
        for (String n : nodes) {
            if (!Files.isRegularFile(dir.resolve(n + ".pem")) || !Files.isRegularFile(dir.resolve(n + ".key"))) {
                throw new IllegalStateException("qraft-certs made no files for " + n + ": " + out);
            }
        }
        return dir;
    }
}
