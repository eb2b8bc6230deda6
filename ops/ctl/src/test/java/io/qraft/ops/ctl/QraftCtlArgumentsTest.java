package io.qraft.ops.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.QueueInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command lines that qraftctl must judge before it connects anywhere. */
class QraftCtlArgumentsTest {

    @Test
    void helpPrintsTheUsageWithEveryCommandAndExitsZero() {
        CtlRun run = CtlRun.offline("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: qraftctl")
            .contains("cluster_status", "list_queues", "declare_queue", "delete_queue", "purge_queue", "publish", "get")
            .contains("--node", "--format", "--timeout");
    }

    @Test
    void aCommandsHelpNamesItsOwnOptions() {
        CtlRun run = CtlRun.offline("help", "get");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: qraftctl get").contains("--count", "--ack", "--node");
    }

    @Test
    void anArgumentWithoutAnEqualsSignIsAUsageError() {
        CtlRun run = CtlRun.offline("declare_queue", "orders", "--argument", "ack-mode");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("should be in KEY=VALUE format but was ack-mode")
            .contains("Usage: qraftctl declare_queue");
    }

    @Test
    void anUnknownColumnIsAUsageErrorListingTheColumns() {
        CtlRun run = CtlRun.offline("list_queues", "name", "size");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid column: expected one of name, policy, leader, replicas, "
            + "synchronised_replicas, messages, messages_unacked, bytes, messages_given_up, messages_expired, dead_lettered, "
            + "dropped, publishes_rejected, deliveries_timed_out, dead_letter_resends, ack_mode, group, consumers, arguments, "
            + "effective_arguments but was 'size'");
    }

    @Test
    void everyQueueColumnIsAQueueInfoFieldAsTheHttpApiNamesIt() {
        assertThat(StatusJson.fields(QueueInfo.getDefaultInstance()).keySet())
            .containsAll(java.util.Arrays.stream(QueueColumn.values()).map(QueueColumn::columnName).toList());
    }

    @Test
    void aPolicyWhoseDefinitionIsNotValidIsAUsageErrorAndNothingIsSent() {
        CtlRun badJson = CtlRun.offline("set_policy", "p", ".*", "{\"ha-mode\": ");
        CtlRun unknownKey = CtlRun.offline("set_policy", "p", ".*", "{\"ha_mode\":\"all\"}");
        CtlRun noCount = CtlRun.offline("set_policy", "p", ".*", "{\"ha-mode\":\"exactly\"}");
        CtlRun badPattern = CtlRun.offline("set_policy", "p", "(", "{\"ha-mode\":\"all\"}");
        CtlRun exchanges = CtlRun.offline("set_policy", "p", ".*", "{\"ha-mode\":\"all\"}", "--apply-to", "exchanges");

        assertThat(List.of(badJson, unknownKey, noCount, badPattern, exchanges))
            .allSatisfy(run -> assertThat(run.exitCode()).isEqualTo(2));
        assertThat(badJson.err()).startsWith("Invalid policy: the policy definition is not valid JSON");
        assertThat(unknownKey.err()).contains("unknown policy key 'ha_mode'; known keys: [ack-mode,");
        assertThat(noCount.err()).contains("ha-mode exactly needs ha-params");
        assertThat(badPattern.err()).contains("is not a regular expression this cluster matches");
        assertThat(exchanges.err()).contains("queues only");
    }

    @Test
    void aPasswordComesFromAFileOrStandardInputNeverAnArgumentAndNothingIsSentWithoutOne(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        CtlRun missing = CtlRun.offline("add_user", "app", "--new-password-file", dir.resolve("none").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Cannot read the password from", "none");
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty"), "\n");
        assertThat(CtlRun.offline("change_password", "app", "--new-password-file", empty.toString()).err())
            .contains("No password");
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
            CtlRun noInput = CtlRun.offline("authenticate_user", "app");
            assertThat(noInput.exitCode()).isEqualTo(2);
            assertThat(noInput.err()).contains("No password", "standard input");
        } finally {
            System.setIn(stdin);
        }
        assertThat(CtlRun.offline("add_user", "app", "secret").exitCode()).as("no password argument").isEqualTo(2);
    }

    @Test
    void aNodeWithoutAPortIsAUsageError() {
        CtlRun run = CtlRun.offline("--node", "localhost", "cluster_status");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--node").contains("expected HOST:PORT but was 'localhost'");
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        CtlRun run = CtlRun.offline("cluster_status", "--format", "xml");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("expected one of table, json but was 'xml'");
    }

    @Test
    void aCountOrTimeoutBelowOneIsAUsageError() {
        assertThat(CtlRun.offline("publish", "q", "--count", "0").exitCode()).isEqualTo(2);
        assertThat(CtlRun.offline("get", "q", "--count", "-1").exitCode()).isEqualTo(2);
        assertThat(CtlRun.offline("--timeout", "0", "cluster_status").exitCode()).isEqualTo(2);
        assertThat(CtlRun.offline("publish", "q", "--size", "-1").err()).contains("at least 0");
    }

    @Test
    void aMissingQueueNameIsAUsageError() {
        CtlRun run = CtlRun.offline("purge_queue");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'NAME'");
    }

    @Test
    void noCommandIsAUsageError() {
        CtlRun run = CtlRun.offline();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Missing command: give one of cluster_status, list_queues");
    }

    @Test
    void connectionOptionsMayComeBeforeTheCommand() {
        QraftCtl ctl = new QraftCtl(node -> null);
        QraftCtl.commandLine(ctl, nowhere(), nowhere())
            .parseArgs("--node", "a:1", "--node", "b:2", "--format", "JSON", "--timeout", "3", "list_queues");

        assertThat(ctl.connection().nodes()).extracting(Object::toString).containsExactly("a:1", "b:2");
        assertThat(ctl.connection().format()).isEqualTo(Format.JSON);
        assertThat(ctl.connection().timeout()).hasSeconds(3);
    }

    @Test
    void connectionOptionsMayComeAfterTheCommand() {
        QraftCtl ctl = new QraftCtl(node -> null);
        QraftCtl.commandLine(ctl, nowhere(), nowhere())
            .parseArgs("list_queues", "name", "--node", "a:1", "--format", "json", "--node", "[::1]:2");

        assertThat(ctl.connection().nodes()).extracting(Object::toString).containsExactly("a:1", "[::1]:2");
        assertThat(ctl.connection().format()).isEqualTo(Format.JSON);
    }

    @Test
    void withoutNodeTheLocalDefaultNodeIsUsed() {
        QraftCtl ctl = new QraftCtl(node -> null);
        QraftCtl.commandLine(ctl, nowhere(), nowhere()).parseArgs("cluster_status");

        assertThat(ctl.connection().nodes()).extracting(Object::toString).containsExactly("127.0.0.1:5691");
        assertThat(ctl.connection().format()).isEqualTo(Format.TABLE);
        assertThat(ctl.connection().timeout()).hasSeconds(10);
    }

    @Test
    void aUserWithoutAnyPasswordIsAUsageError() {
        CtlRun option = CtlRun.offline("--user", "alice", "cluster_status");
        CtlRun environment = CtlRun.offline(Map.of("QRAFT_USER", "alice"), "cluster_status");

        assertThat(List.of(option, environment)).allSatisfy(run -> {
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).startsWith("the user alice needs a password: give --password-file FILE or set "
                + "QRAFT_PASSWORD");
        });
    }

    @Test
    void aClientCertificateNeedsItsKeyAndTls(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("alice.pem"), "x");
        Path key = Files.writeString(dir.resolve("alice.key"), "x");

        CtlRun noKey = CtlRun.offline("--ca-file", cert.toString(), "--cert-file", cert.toString(), "list_queues");
        CtlRun noCert = CtlRun.offline("list_queues", "--ca-file", cert.toString(), "--key-file", key.toString());
        CtlRun noCa = CtlRun.offline("list_queues", "--cert-file", cert.toString(), "--key-file", key.toString());

        assertThat(List.of(noKey, noCert, noCa)).allSatisfy(run -> assertThat(run.exitCode()).isEqualTo(2));
        assertThat(noKey.err()).startsWith("--cert-file needs --key-file");
        assertThat(noCert.err()).startsWith("--key-file needs --cert-file");
        assertThat(noCa.err()).startsWith("--cert-file needs --ca-file");
    }

    @Test
    void aClientCertificateThatCannotBeReadIsAUsageErrorNamingIt(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        Path missing = dir.resolve("missing.key");

        // The real channels: the files are read before any node is asked (none runs here).
        CtlRun run = CtlRun.run(Map.of(), null, "list_queues", "--node", "127.0.0.1:1", "--ca-file", garbage.toString(),
            "--cert-file", garbage.toString(), "--key-file", missing.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(garbage.toString()).doesNotContain("Exception");
    }

    @Test
    void aPasswordFileWithoutAUserIsAUsageError(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("password"), "hunter2\n");

        CtlRun run = CtlRun.offline("--password-file", file.toString(), "list_queues");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--password-file needs --user (or QRAFT_USER)").doesNotContain("hunter2");
    }

    @Test
    void aPasswordFileThatCannotBeReadIsAUsageErrorNamingIt(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");

        CtlRun absent = CtlRun.offline("--user", "alice", "--password-file", missing.toString(), "list_queues");
        CtlRun blank = CtlRun.offline("list_queues", "--user", "alice", "--password-file", empty.toString());

        assertThat(absent.exitCode()).isEqualTo(2);
        assertThat(absent.err()).startsWith("cannot read the password file " + missing + ": no such file");
        assertThat(blank.exitCode()).isEqualTo(2);
        assertThat(blank.err()).startsWith("the password file " + empty + " has no password on its first line");
    }

    @Test
    void credentialsThatCannotBeSentAreAUsageErrorThatNeverShowsThePassword() {
        CtlRun colon = CtlRun.offline(Map.of("QRAFT_PASSWORD", "hunter2"), "--user", "al:ice", "list_queues");
        CtlRun control = CtlRun.offline(Map.of("QRAFT_PASSWORD", "hunter2\u0007"), "--user", "alice", "list_queues");

        assertThat(colon.exitCode()).isEqualTo(2);
        assertThat(colon.err()).startsWith("Invalid credentials: the user name cannot contain ':'");
        assertThat(control.exitCode()).isEqualTo(2);
        assertThat(control.err()).startsWith("Invalid credentials: the password cannot contain control characters");
        assertThat(colon.err() + control.err()).doesNotContain("hunter2");
    }

    @Test
    void helpNamesTheCredentialsOptionsAndTheirEnvironmentVariables() {
        CtlRun run = CtlRun.offline("--help");

        assertThat(run.out()).contains("--user", "--password-file", "QRAFT_USER", "QRAFT_PASSWORD");
    }

    private static PrintWriter nowhere() {
        return new PrintWriter(new StringWriter());
    }
}
