package io.qraft.ops.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies between the modules point one way: {@code grpc-api} and {@code storage} use no
 * other module; {@code statemachine} uses those two; {@code log} uses the three; {@code ops} uses
 * everything but {@code bench}. {@code qraftctl} talks to a node as any client does, so its
 * package may use no server code: not the log, the state machines, the store, the node's own
 * classes, Ratis or RocksDB. Checked on the compiled main classes of every module on this test's
 * class path (all but {@code bench}, which nothing may import).
 */
class ModuleLayersTest {
  private static final String API = "io.qraft.api..";
  private static final String CLIENT = "io.qraft.client..";
  private static final String STORAGE = "io.qraft.storage..";
  private static final String STATEMACHINE = "io.qraft.statemachine..";
  private static final String LOG = "io.qraft.log..";
  private static final String OPS = "io.qraft.ops..";
  private static final String BENCH = "io.qraft.bench..";

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.qraft");
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
  void opsUsesNoBenchmark() {
    noClasses().that().resideInAPackage(OPS)
        .should().dependOnClassesThat().resideInAPackage(BENCH)
        .check(classes);
  }

  @Test
  void qraftctlUsesNoServerCode() {
    noClasses().that().resideInAPackage("io.qraft.ops.ctl..")
        .should().dependOnClassesThat().resideInAnyPackage(STORAGE, STATEMACHINE, LOG, "io.qraft.ops.server..",
            "io.qraft.ops.faults..", "io.qraft.ops.http..", "io.qraft.ops.metrics..", "org.apache.ratis..",
            "org.rocksdb..")
        .check(classes);
  }
}
