package io.qraft.bench.perf;

import io.qraft.client.BasicCredentials;
import io.qraft.client.QraftClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated qraft-perf run: what {@link QraftPerf} parsed, checked and filled in.
 *
 * @param producers publishing threads (each with its own client)
 * @param consumers consumers (each with its own client)
 * @param size message body bytes
 * @param confirmWindow outstanding (unconfirmed) publishes per producer
 * @param seconds how long to publish and measure
 * @param warmupSeconds how long to publish before that, left out of the summary
 * @param queue the queue name, or the prefix of the names when queues > 1
 * @param queues how many queues the load is spread over
 * @param prefetch consumer prefetch; 0 lets the server choose
 * @param ratePerProducer messages per second per producer; 0 is unlimited
 * @param ackEvery a consumer acks once this many deliveries are pending
 * @param ackIntervalMs ... or once the oldest pending delivery is this old
 * @param ackMode the ack-mode declare argument, or null to leave it out
 * @param batchSize the batch-size declare argument, or 0 to leave it out
 * @param queueLog the queue-log declare argument, or null to leave it out
 * @param clientBatch most messages a producer sends in one publish request (1: one per request)
 * @param nodes node addresses, host:port
 * @param json print one JSON object instead of the table
 * @param deleteQueues delete the queues at the end
 * @param gapLog file to write long pauses between confirms to, or null
 * @param credentials sent with every call, or null for none (its toString names the user only)
 * @param queueArguments further declare arguments of the queues (--queue-argument), as given
 */
public record PerfSettings(
    int producers,
    int consumers,
    int size,
    int confirmWindow,
    int seconds,
    int warmupSeconds,
    String queue,
    int queues,
    int prefetch,
    int ratePerProducer,
    int ackEvery,
    int ackIntervalMs,
    String ackMode,
    int batchSize,
    String queueLog,
    int clientBatch,
    List<String> nodes,
    boolean json,
    boolean deleteQueues,
    java.nio.file.Path gapLog,
    BasicCredentials credentials,
    Map<String, String> queueArguments) {

  public PerfSettings {
    nodes = List.copyOf(nodes);
    queueArguments = Map.copyOf(queueArguments);
  }

  /** The settings every client of the run shares: the nodes, and the credentials if any. */
  public QraftClient.Builder client() {
    QraftClient.Builder builder = QraftClient.builder().addresses(nodes);
    return credentials == null ? builder : builder.credentials(credentials);
  }

  /** The queue names: {@code queue} alone, or {@code queue-1 .. queue-N}. */
  public List<String> queueNames() {
    if (queues == 1) {
      return List.of(queue);
    }
    List<String> names = new ArrayList<>(queues);
    for (int i = 1; i <= queues; i++) {
      names.add(queue + "-" + i);
    }
    return names;
  }

  /** The declare arguments of the queues this run declares. */
  public Map<String, String> declareArguments() {
    Map<String, String> args = new LinkedHashMap<>();
    if (ackMode != null) {
      args.put("ack-mode", ackMode);
    }
    if (batchSize > 0) {
      args.put("batch-size", Integer.toString(batchSize));
    }
    if (queueLog != null) {
      args.put("queue-log", queueLog);
    }
    args.putAll(new java.util.TreeMap<>(queueArguments));
    return args;
  }
}
