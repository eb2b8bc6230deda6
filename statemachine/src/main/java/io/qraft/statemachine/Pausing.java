package io.qraft.statemachine;

import org.apache.ratis.util.LifeCycle;

/**
 * The life-cycle steps around a snapshot install, shared by the state machines:
 * Ratis pauses a state machine, installs the snapshot files, then calls
 * reinitialize, and expects it PAUSED in between and RUNNING after.
 */
final class Pausing {
  private Pausing() {}

  static void pause(LifeCycle lc) {
    if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
      lc.transition(LifeCycle.State.PAUSING);
      lc.transition(LifeCycle.State.PAUSED);
    }
  }

  /** Runs the reload between PAUSED and RUNNING. */
  static void resume(LifeCycle lc, IoAction reload) throws java.io.IOException {
    if (lc.getCurrentState() == LifeCycle.State.PAUSED) {
      lc.transition(LifeCycle.State.STARTING);
    }
    reload.run();
    if (lc.getCurrentState() == LifeCycle.State.STARTING) {
      lc.transition(LifeCycle.State.RUNNING);
    }
  }

  @FunctionalInterface
  interface IoAction {
    void run() throws java.io.IOException;
  }
}
