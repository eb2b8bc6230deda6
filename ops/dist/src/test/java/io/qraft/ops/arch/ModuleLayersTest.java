package io.qraft.ops.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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
      "io.qraft.ops.http..", "io.qraft.ops.metrics..", "io.qraft.ops.tls..", "io.qraft.ops.launch.."};
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
    noClasses().that().resideInAnyPackage(API, CLIENT)
        .should().dependOnClassesThat().resideInAnyPackage(STORAGE, STATEMACHINE, LOG, OPS, BENCH)
        .check(classes);
  }

  @Test
  void storageUsesNoOtherModule() {
    noClasses().that().resideInAPackage(STORAGE)
        .should().dependOnClassesThat().resideInAnyPackage(API, CLIENT, STATEMACHINE, LOG, OPS, BENCH)
        .check(classes);
  }

  @Test
  void stateMachinesUseOnlyGrpcApiAndStorage() {
    noClasses().that().resideInAPackage(STATEMACHINE)
        .should().dependOnClassesThat().resideInAnyPackage(LOG, OPS, BENCH, "org.rocksdb..", "io.grpc..")
        .check(classes);
  }

  @Test
  void theLogUsesNothingAboveIt() {
    noClasses().that().resideInAPackage(LOG)
        .should().dependOnClassesThat().resideInAnyPackage(OPS, BENCH)
        .check(classes);
  }

  @Test
  void theServerUsesNoToolNorHarness() {
    noClasses().that().resideInAnyPackage(SERVER)
        .should().dependOnClassesThat().resideInAnyPackage(CTL, FAULTS, DIST, BENCH)
        .check(classes);
  }

  @Test
  void qraftctlUsesGrpcApiOnly() {
    noClasses().that().resideInAPackage(CTL)
        .should().dependOnClassesThat().resideInAnyPackage(STORAGE, STATEMACHINE, LOG, FAULTS, DIST, BENCH,
            "org.apache.ratis..", "org.rocksdb..")
        .orShould().dependOnClassesThat().resideInAnyPackage(SERVER)
        .check(classes);
  }

  @Test
  void theFaultSuiteUsesOnlyTheLauncherOfTheServer() {
    noClasses().that().resideInAPackage(FAULTS)
        .should().dependOnClassesThat().resideInAnyPackage(STORAGE, STATEMACHINE, LOG, CTL, DIST, BENCH,
            "io.qraft.ops.config..", "io.qraft.ops.server..", "io.qraft.ops.http..", "io.qraft.ops.metrics..",
            "io.qraft.ops.tls..")
        .check(classes);
  }

  @Test
  void theBenchmarksUseNoToolNorHarness() {
    noClasses().that().resideInAPackage(BENCH)
        .should().dependOnClassesThat().resideInAnyPackage(CTL, FAULTS, DIST)
        .check(classes);
  }

  @Test
  void theDemoIsAClient() {
    noClasses().that().resideInAPackage(DIST)
        .should().dependOnClassesThat().resideInAnyPackage(STORAGE, STATEMACHINE, LOG, CTL, FAULTS, BENCH,
            "org.apache.ratis..", "org.rocksdb..")
        .orShould().dependOnClassesThat().resideInAnyPackage(SERVER)
        .check(classes);
  }
}
