package io.qraft.client;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.qraft.api.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * In-process nodes under names no other test uses, and clients that reach them by those
 * names. Closing it closes the clients first, then the nodes.
 */
final class InProcessCluster implements AutoCloseable {

  private final String prefix = "qraft-" + UUID.randomUUID() + "-";
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** A node that leads every queue. */
  FakeNode leader(String node) {
    return track(new FakeNode(new HostPort(prefix + node, 5691)));
  }

  /** A node that answers UNAVAILABLE and names the leader. */
  RedirectingNode follower(String node, FakeNode leader) {
    return track(new RedirectingNode(prefix + node, leader.name));
  }

  /** A node that answers UNAVAILABLE and names no leader. */
  RedirectingNode leaderless(String node) {
    return track(new RedirectingNode(prefix + node, null));
  }

  /** The address of a node that was never started: connecting to it fails. */
  String nowhere(String node) {
    return prefix + node;
  }

  /** A client of these addresses, with short backoffs so that retries do not slow tests. */
  QraftClient client(Duration deadline, String... addresses) {
    return track(builder(addresses).deadline(deadline).build());
  }

  /** The settings of {@link #client}, for a test to add its own before it builds. */
  QraftClient.Builder builder(String... addresses) {
    return QraftClient.builder()
        .addresses(addresses)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(20))
        .channelFactory(address -> InProcessChannelBuilder.forName(address).build());
  }



  QraftClient client(String... addresses) {
    return client(Duration.ofSeconds(10), addresses);
  }

  /** Closes it with the cluster, before what was tracked earlier. */
  <T extends AutoCloseable> T track(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  @Override
  public void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }
}
