package io.qraft.ops.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.qraft.client.QraftClient;
import io.qraft.client.QraftException;
import io.qraft.ops.launch.ProcessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users on three node processes with auth.enabled: every qraftctl user verb, what each
 * permission allows through the SDK, the answers to bad credentials, and users that survive a
 * leader kill and a node that catches up by snapshot. Tests run in order on one cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class UsersProcessTest {
  @TempDir
  static Path dir;

  static ProcessCluster cluster;
  static Path rootPassword;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new ProcessCluster(dir.resolve("cluster"), 3, Map.of(
        "auth.enabled", "true",
        "raft.snapshot_threshold", "100",
        "raft.log_keep_entries", "0",
        "raft.election_timeout_min", "2000",
        "raft.election_timeout_max", "4000")).administrator("root", "root password").start();
    rootPassword = password("root", "root password");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Path password(String name, String password) throws Exception {
    return Files.writeString(dir.resolve(name + ".password"), password + "\n");
  }

  /** qraftctl as root, through the first running node. */
  private static CtlRun ctl(String... args) {
    return ctlAs("root", rootPassword, args);
  }

  private static CtlRun ctlAs(String user, Path passwordFile, String... args) {
    ProcessCluster.Node asked = cluster.nodes().stream().filter(ProcessCluster.Node::running).findFirst().orElseThrow();
    List<String> all = new ArrayList<>(List.of("--node", asked.address(), "--timeout", "60", "--user", user,
        "--password-file", passwordFile.toString()));
    all.addAll(List.of(args));
    return CtlRun.run(ClusterClient::plaintextChannel, all.toArray(String[]::new));
  }

  private static QraftClient client(String user, String password) {
    return QraftClient.builder().addresses(cluster.addresses()).credentials(user, password)
        .deadline(Duration.ofSeconds(30)).build();
  }

  private static void refused(ThrowingCallable call, Status.Code code, String... reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(QraftException.class, e -> {
      assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
      assertThat(e.getMessage()).contains(reason);
    });
  }

  @Test
  @Order(1)
  void everyUserVerbWorksThroughAnyNode() throws Exception {
    Path appPassword = password("app", "app password");
    CtlRun added = ctl("add_user", "writer", "--new-password-file", appPassword.toString());
    assertThat(added.exitCode()).as(added.err()).isZero();
    assertThat(ctl("add_user", "reader", "--new-password-file", appPassword.toString()).exitCode()).isZero();
    assertThat(ctl("add_user", "ops", "--tags", "monitoring", "--new-password-file", appPassword.toString())
        .exitCode()).isZero();
    assertThat(ctl("add_user", "ops", "--new-password-file", appPassword.toString()).err())
        .contains("ALREADY_EXISTS");

    assertThat(ctl("set_permissions", "writer", "^orders$", "^orders$", "").exitCode()).isZero();
    assertThat(ctl("set_permissions", "reader", "", "", "^orders$").exitCode()).isZero();
    assertThat(ctl("list_users").out()).contains("root", "writer", "reader", "ops", "monitoring");
    assertThat(ctl("list_permissions").out()).contains("writer", "reader", "^orders$");
    assertThat(ctl("list_user_permissions", "reader").out()).contains("reader").doesNotContain("writer");

    assertThat(ctl("authenticate_user", "writer", "--new-password-file", appPassword.toString()).exitCode()).isZero();
    CtlRun wrong = ctl("authenticate_user", "writer", "--new-password-file", rootPassword.toString());
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err()).contains("wrong user name or password");

    assertThat(ctl("set_user_tags", "ops").exitCode()).isZero();
    assertThat(ctl("set_user_tags", "ops", "monitoring").exitCode()).isZero();
    Path newPassword = password("ops-new", "ops password 2");
    assertThat(ctl("change_password", "ops", "--new-password-file", newPassword.toString()).exitCode()).isZero();
    assertThat(ctlAs("ops", newPassword, "list_queues").exitCode()).isZero();
    CtlRun opsDenied = ctlAs("ops", newPassword, "declare_queue", "x");
    assertThat(opsDenied.exitCode()).isEqualTo(1);
    assertThat(opsDenied.err()).contains("PERMISSION_DENIED", "user 'ops'", "declare", "'x'");
  }

  @Test
  @Order(2)
  void eachPermissionAllowsExactlyItsOperations() {
    try (QraftClient writer = client("writer", "app password"); QraftClient reader = client("reader", "app password")) {
      writer.declareQueue("orders");
      writer.publish("orders", "one".getBytes()).join();
      refused(() -> writer.get("orders", 1, true), Status.Code.PERMISSION_DENIED, "user 'writer'", "get from",
          "'orders'", "read");
      refused(() -> reader.declareQueue("orders"), Status.Code.PERMISSION_DENIED, "user 'reader'", "declare");
      assertThatThrownBy(() -> reader.publish("orders", "two".getBytes()).join())
          .hasMessageContaining("PERMISSION_DENIED").hasMessageContaining("publish to");
      assertThat(reader.get("orders", 1, true)).hasSize(1);
      refused(() -> writer.declareQueue("payments"), Status.Code.PERMISSION_DENIED, "'payments'");
    }
  }

  @Test
  @Order(3)
  void badCredentialsAreRefusedAndChangeNothing() {
    try (QraftClient nobody = client("nobody", "app password");
         QraftClient wrong = client("writer", "not it");
         QraftClient anonymous = QraftClient.builder().addresses(cluster.addresses())
             .deadline(Duration.ofSeconds(30)).build()) {
      refused(() -> nobody.declareQueue("orders2"), Status.Code.UNAUTHENTICATED, "wrong user name or password");
      refused(() -> wrong.declareQueue("orders2"), Status.Code.UNAUTHENTICATED, "wrong user name or password");
      refused(() -> anonymous.declareQueue("orders2"), Status.Code.UNAUTHENTICATED, "user name and password");
    }
    assertThat(ctl("list_queues", "name").out()).doesNotContain("orders2");
  }

  @Test
  @Order(4)
  void aDeletedUsersOpenConnectionIsRefusedOnItsNextCall() {
    Path appPassword = dir.resolve("app.password");
    assertThat(ctl("add_user", "temp", "--new-password-file", appPassword.toString()).exitCode()).isZero();
    assertThat(ctl("set_permissions", "temp", "^temp", "^temp", "^temp").exitCode()).isZero();
    try (QraftClient temp = client("temp", "app password")) {
      temp.declareQueue("temp.q");
      assertThat(ctl("delete_user", "temp").exitCode()).isZero();
      refused(() -> temp.declareQueue("temp.q2"), Status.Code.UNAUTHENTICATED, "wrong user name or password");
    }
  }

  @Test
  @Order(5)
  void usersSurviveAMetadataLeaderKillAndASnapshotInstall() throws Exception {
    ProcessCluster.Node behind = cluster.nodes().get(2);
    cluster.stop(behind);
    // More metadata entries than the snapshot threshold while the node is down: it can only
    // catch up by installing a snapshot.
    Path appPassword = dir.resolve("app.password");
    for (int i = 0; i < 60; i++) {
      assertThat(ctl("set_permissions", "reader", "", "", "^orders" + (i % 2 == 0 ? "$" : "")).exitCode()).isZero();
      assertThat(ctl("set_user_tags", "ops", i % 2 == 0 ? "monitoring" : "administrator").exitCode()).isZero();
    }
    assertThat(ctl("add_user", "late", "--new-password-file", appPassword.toString()).exitCode()).isZero();
    ProcessCluster.Node leader = cluster.metadataLeader(Duration.ofSeconds(60));
    cluster.start(behind);
    cluster.awaitReady(Duration.ofSeconds(120));
    cluster.awaitMetadataApplied(behind, Duration.ofSeconds(120));
    if (!leader.equals(behind)) {
      cluster.kill(leader);
    }
    CtlRun onBehind = CtlRun.run(ClusterClient::plaintextChannel, "--node", behind.address(), "--timeout", "60",
        "--user", "late", "--password-file", appPassword.toString(), "authenticate_user", "late",
        "--new-password-file", appPassword.toString());
    assertThat(onBehind.err()).contains("PERMISSION_DENIED", "user 'late'", "administrator");
    CtlRun asRoot = CtlRun.run(ClusterClient::plaintextChannel, "--node", behind.address(), "--timeout", "60",
        "--user", "root", "--password-file", rootPassword.toString(), "list_user_permissions", "reader",
        "--format", "json");
    assertThat(asRoot.exitCode()).as(asRoot.err()).isZero();
    assertThat(asRoot.out()).contains("^orders");
    try (QraftClient late = QraftClient.builder().addresses(behind.address()).credentials("late", "app password")
        .deadline(Duration.ofSeconds(60)).build()) {
      refused(() -> late.declareQueue("late.q"), Status.Code.PERMISSION_DENIED, "user 'late'");
    }
    if (!leader.equals(behind)) {
      cluster.start(leader);
    }
  }
}
