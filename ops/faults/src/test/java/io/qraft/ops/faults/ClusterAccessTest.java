package io.qraft.ops.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClusterAccessTest {

  @Test
  void passwordsAreFreshPerRunAndNeverPrinted() {
    ClusterAccess a = ClusterAccess.generate(Path.of("ca.pem"));
    ClusterAccess b = ClusterAccess.generate(Path.of("ca.pem"));
    assertNotEquals(a.administrator().password(), b.administrator().password());
    assertNotEquals(a.administrator().password(), a.application().password());
    // The run logs its users; a record's default toString would print the passwords too.
    assertEquals("qf-admin", a.administrator().toString());
    assertFalse(a.toString().contains(a.administrator().password()));
    assertFalse(a.toString().contains(a.application().password()));
  }
}
