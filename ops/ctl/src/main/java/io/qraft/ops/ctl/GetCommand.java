package io.qraft.ops.ctl;

import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.GetRequest;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code get QUEUE --count N [--ack]}: fetches ready messages once, without subscribing. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Fetches up to N ready messages. Without --ack they stay outstanding until the get lease "
        + "(consumer.get_lease_ms) ends and then return to the queue, marked redelivered.")
final class GetCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("offset", "body", "redelivered", "delivery_count");

    @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue to fetch from.")
    private String queue;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1", converter = Converters.PositiveInt.class,
        description = "Most messages to fetch (default: ${DEFAULT-VALUE}).")
    private int count;

    @Option(names = "--ack", description = "Settle the messages as they are fetched: they leave the queue.")
    private boolean ack;

    @Override
    protected void run(ClusterClient client, Output output) {
        GetRequest request = GetRequest.newBuilder().setQueue(queue).setCount(count).setAck(ack).build();
        List<Delivery> deliveries = client.queue(queues -> queues.get(request)).getDeliveriesList();
        output.rows(COLUMNS, deliveries.stream().map(GetCommand::row).toList());
    }

    static Map<String, Object> row(Delivery delivery) {
        return Output.row(
            "offset", delivery.getTag().getOffset(),
            "body", delivery.getMessage().getBody().toStringUtf8(),
            "redelivered", delivery.getRedelivered(),
            "delivery_count", Integer.toUnsignedLong(delivery.getTag().getDeliveryCount()));
    }
}
