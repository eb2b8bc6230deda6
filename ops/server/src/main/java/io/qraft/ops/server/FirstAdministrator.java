package io.qraft.ops.server;

import io.qraft.api.Quoted;
import io.qraft.api.UserRules;
import io.qraft.log.GroupIds;
import io.qraft.log.ReplicatedLog;
import io.qraft.ops.auth.PasswordHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first administrator of a cluster from {@code auth.bootstrap_file} (one line
 * {@code USER:PASSWORD}), so that an installed or local cluster never runs a moment without
 * users and nobody has to make a bootstrap call by hand. While the cluster has no user, the
 * node that leads the metadata group reads the file and adds the user with the administrator
 * tag and every permission on every queue (as RabbitMQ's default user has); once any user exists the file is never read again (every node checks, since any may
 * become the leader). The check runs once a second until then, and costs a map lookup.
 */
final class FirstAdministrator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FirstAdministrator.class);
  private static final Logger AUDIT = LoggerFactory.getLogger("io.qraft.audit");
  private static final long PERIOD_MS = 1_000;

  private final ReplicatedLog log;
  private final Path file;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-first-administrator");
    t.setDaemon(true);
    return t;
  });
  private String lastProblem;

  FirstAdministrator(ReplicatedLog log, Path file) {
    this.log = log;
    this.file = file;
  }

  FirstAdministrator start() {
    timer.scheduleWithFixedDelay(this::tick, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    return this;
  }

  private void tick() {
    try {
      if (log.users().any()) {
        timer.shutdown();
        return;
      }
      if (!log.isLeader(GroupIds.METADATA)) {
        return;
      }
      String[] entry = read();
      if (entry == null) {
        return;
      }
      if (log.users().addFirstAdministrator(entry[0], () -> PasswordHash.hash(entry[1]))) {
        AUDIT.info("audit user=(auth.bootstrap_file) from={} call=qraft.v1.AdminService/AddUser name={} "
            + "tags=administrator permissions=.* .* .* result=OK", file, entry[0]);
        LOG.info("added the first administrator {} from {}; it can add the other users "
            + "(the file is not read again: keep it safe or delete it)", Quoted.of(entry[0]), file);
      }
    } catch (RuntimeException e) {
      // Leadership moved, the metadata group is not ready: the next tick tries again.
      LOG.debug("first administrator from {} not added yet: {}", file, e.toString());
    }
  }

  /** USER and PASSWORD from the file, or null (said once in the log) when it is missing or not valid. */
  private String[] read() {
    String line;
    try {
      line = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
    } catch (NoSuchFileException e) {
      return problem(file + " does not exist: add the first administrator from a node's own host "
          + "(qraftctl add_user NAME --tags administrator)");
    } catch (IOException | RuntimeException e) {
      return problem("cannot read " + file + ": " + e.getMessage());
    }
    int colon = line.indexOf(':');
    if (colon < 0) {
      return problem(file + " must hold one line USER:PASSWORD");
    }
    String name = line.substring(0, colon);
    String password = line.substring(colon + 1);
    String problem = UserRules.nameProblem(name);
    if (problem == null) {
      problem = UserCalls.passwordProblem(password);
    }
    return problem == null ? new String[] {name, password} : problem(file + ": " + problem);
  }

  private String[] problem(String text) {
    if (!text.equals(lastProblem)) {
      LOG.warn("auth.bootstrap_file: {}", text);
      lastProblem = text;
    }
    return null;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
