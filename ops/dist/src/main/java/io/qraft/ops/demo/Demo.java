package io.qraft.ops.demo;

import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.Consumer;
import io.qraft.client.PublishConfirm;
import io.qraft.client.QraftClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A short tour of qraft through the Java SDK: declare a queue, publish with
 * confirms, consume with acks. {@code qraft-demo} runs it against the local
 * cluster; its source is the smallest complete example of a client. It logs in as the user in
 * {@code QRAFT_USER} / {@code QRAFT_PASSWORD}.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    List<String> nodes = args.length > 0 ? Arrays.asList(args)
        : List.of("127.0.0.1:5691", "127.0.0.1:5692", "127.0.0.1:5693");
    int count = Integer.getInteger("demo.messages", 1000);
    // The user qraft-local made (qraft-demo exports QRAFT_USER and QRAFT_PASSWORD from its
    // credentials file); a cluster with auth.enabled = false needs none.
    QraftClient.Builder builder = QraftClient.builder().addresses(nodes);
    io.qraft.client.BasicCredentials credentials =
        io.qraft.client.BasicCredentials.fromCommandLine(null, null, System::getenv);
    if (credentials != null) {
      builder.credentials(credentials);
    }
    try (QraftClient client = builder.build()) {
      QueueInfo queue = client.declareQueue("demo", Map.of("ack-mode", "quorum"));
      System.out.printf("declared queue '%s' on replicas %s, led by %s%n", queue.getName(),
          queue.getReplicasList(), queue.getLeader());

      long start = System.nanoTime();
      List<CompletableFuture<PublishConfirm>> confirms = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        confirms.add(client.publish("demo", ("hello " + i).getBytes(StandardCharsets.UTF_8)));
      }
      CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("published %d messages, all confirmed by a majority, in %.2f s (%.0f msg/s)%n",
          count, seconds, count / seconds);

      CountDownLatch received = new CountDownLatch(count);
      Delivery[] last = new Delivery[1];
      List<io.qraft.api.v1.DeliveryTag> unacked = new ArrayList<>();
      // Acks go in batches: one log entry settles many deliveries.
      try (Consumer consumer = client.consume("demo", 200, delivery -> {
        unacked.add(delivery.getTag());
        last[0] = delivery;
        if (unacked.size() >= 50 || received.getCount() <= unacked.size()) {
          client.ack("demo", List.copyOf(unacked));
          for (int i = 0; i < unacked.size(); i++) {
            received.countDown();
          }
          unacked.clear();
        }
      })) {
        if (!received.await(60, TimeUnit.SECONDS)) {
          System.out.printf("consumed only %d of %d messages in 60 s%n", count - received.getCount(), count);
          System.exit(1);
        }
      }
      System.out.printf("consumed and acked %d messages; the last was '%s' at offset %d%n", count,
          last[0].getMessage().getBody().toStringUtf8(), last[0].getTag().getOffset());
    }
  }
}
