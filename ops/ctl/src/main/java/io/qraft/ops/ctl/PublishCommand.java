package io.qraft.ops.ctl;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.PublishRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code publish QUEUE --count N --size B}: publishes N messages one at a time, each confirmed
 * before the next is sent, and reports the rate.
 *
 * <p>Each message carries this run's producer id and its sequence number, so a publish retried on
 * another node after UNAVAILABLE is not stored twice. For throughput measurements use the
 * benchmark tool; this one measures the latency-bound rate of a single synchronous publisher.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Publishes test messages with confirms and prints how many and how fast.")
final class PublishCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("queue", "published", "bytes", "seconds", "msg_per_s");

    @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue to publish to.")
    private String queue;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1", converter = Converters.PositiveInt.class,
        description = "Messages to publish (default: ${DEFAULT-VALUE}).")
    private int count;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100", converter = Converters.NonNegativeInt.class,
        description = "Body size of each message in bytes (default: ${DEFAULT-VALUE}).")
    private int size;

    @Override
    protected void run(ClusterClient client, Output output) {
        String producerId = UUID.randomUUID().toString();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            PublishRequest request = PublishRequest.newBuilder()
                .setQueue(queue)
                .addMessages(Message.newBuilder().setBody(body(i + 1, size)))
                .setCorrelationId(i + 1)
                .setProducerId(producerId)
                .setSequence(i + 1)
                .build();
            try {
                client.queue(queues -> queues.publish(request));
            } catch (StatusRuntimeException e) {
                String description = e.getStatus().getDescription();
                throw e.getStatus()
                    .withDescription((description == null ? "" : description + " ")
                        + "(" + i + " of " + count + " messages published)")
                    .asRuntimeException();
            }
        }
        double seconds = Math.max(System.nanoTime() - start, 1) / 1e9;
        output.row(COLUMNS, Output.row(
            "queue", queue,
            "published", count,
            "bytes", (long) count * size,
            "seconds", BigDecimal.valueOf(seconds).setScale(3, RoundingMode.HALF_UP),
            "msg_per_s", BigDecimal.valueOf(count / seconds).setScale(1, RoundingMode.HALF_UP)));
    }

    /** A readable body of exactly {@code size} bytes: "message N " and then dots. */
    static ByteString body(int number, int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) '.');
        byte[] label = ("message " + number + " ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(label, 0, body, 0, Math.min(label.length, size));
        return ByteString.copyFrom(body);
    }
}
