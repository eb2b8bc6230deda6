package io.qraft.ops.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies between the modules point one way: {@code grpc-api} and {@code storage} use no
 * other module; {@code statemachine} uses those two; {@code log} uses the three; {@code
 * ops/server} uses those four; {@code ops/faults} and {@code bench} use the server (its node
 * launcher) and grpc-api; {@code ops/dist} (the demo) uses grpc-api. {@code qraftctl} talks to a
 * node as any client does, so it may use grpc-api only: no server code, no Ratis, no RocksDB.
 * Checked on the compiled main classes of every module, all on this test's class path.
 */
class ModuleLayersTest {
  private static final String API = "io.qraft.api..";
  private static final String CLIENT = "io.qraft.client..";
  private static final String STORAGE = "io.qraft.storage..";
  private static final String STATEMACHINE = "io.qraft.statemachine..";
  private static final String LOG = "io.qraft.log..";
  private static final String[] SERVER = {"io.qraft.ops.config..", "io.qraft.ops.server..",
      "io.qraft.ops.http..", "io.qraft.ops.metrics..", "io.qraft.ops.tls..", "io.qraft.ops.launch..",
      "io.qraft.ops.auth.."};
  private static final String CTL = "io.qraft.ops.ctl..";
  private static final String FAULTS = "io.qraft.ops.faults..";
  private static final String DIST = "io.qraft.ops.demo..";
  private static final String OPS = "io.qraft.ops..";
  private static final String BENCH = "io.qraft.bench..";

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.qraft");
  }

  @Test
  void everyModuleIsOnTheClassPath() {
    for (String pkg : new String[] {"io.qraft.api", "io.qraft.client", "io.qraft.storage",
        "io.qraft.statemachine", "io.qraft.log", "io.qraft.ops.server", "io.qraft.ops.launch",
        "io.qraft.ops.ctl", "io.qraft.ops.faults", "io.qraft.ops.demo", "io.qraft.bench"}) {
      org.assertj.core.api.Assertions.assertThat(classes.containPackage(pkg)).as(pkg).isTrue();
    }
  }

  @Test
  void grpcApiUsesNoOtherModule() {
    forbid(new String[] {API, CLIENT}, STORAGE, STATEMACHINE, LOG, OPS, BENCH);
  }

  @Test
  void storageUsesNoOtherModule() {
    forbid(new String[] {STORAGE}, API, CLIENT, STATEMACHINE, LOG, OPS, BENCH);
  }

  @Test
  void stateMachinesUseOnlyGrpcApiAndStorage() {
    forbid(new String[] {STATEMACHINE}, LOG, OPS, BENCH, "org.rocksdb..", "io.grpc..");
  }

  @Test
  void theLogUsesNothingAboveIt() {
    forbid(new String[] {LOG}, OPS, BENCH);
  }

  @Test
  void theServerUsesNoToolNorHarness() {
    forbid(SERVER, CTL, FAULTS, DIST, BENCH);
  }

  @Test
  void qraftctlUsesGrpcApiOnly() {
    forbid(new String[] {CTL}, serverAnd(STORAGE, STATEMACHINE, LOG, FAULTS, DIST, BENCH,
        "org.apache.ratis..", "org.rocksdb.."));
  }

  @Test
  void theFaultSuiteUsesOnlyTheLauncherOfTheServer() {
    forbid(new String[] {FAULTS}, STORAGE, STATEMACHINE, LOG, CTL, DIST, BENCH,
        "io.qraft.ops.config..", "io.qraft.ops.server..", "io.qraft.ops.http..", "io.qraft.ops.metrics..",
        "io.qraft.ops.tls..");
  }

  @Test
  void theBenchmarksUseNoToolNorHarness() {
    forbid(new String[] {BENCH}, CTL, FAULTS, DIST);
  }

  @Test
  void theDemoIsAClient() {
    forbid(new String[] {DIST}, serverAnd(STORAGE, STATEMACHINE, LOG, CTL, FAULTS, BENCH,
        "org.apache.ratis..", "org.rocksdb.."));
  }

  /** No class in {@code from} may depend on a class in {@code forbidden}. */
  private static void forbid(String[] from, String... forbidden) {
    noClasses().that().resideInAnyPackage(from)
        .should().dependOnClassesThat().resideInAnyPackage(forbidden)
        .check(classes);
  }

  private static String[] serverAnd(String... more) {
    String[] all = Arrays.copyOf(SERVER, SERVER.length + more.length);
    System.arraycopy(more, 0, all, SERVER.length, more.length);
    return all;
  }
}
