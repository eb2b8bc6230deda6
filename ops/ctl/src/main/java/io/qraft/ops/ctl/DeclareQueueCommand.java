package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeclareQueueResponse;
import io.qraft.api.v1.QueueInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code declare_queue NAME [--argument key=value]...}: creates a queue, or confirms it exists as asked. */
@Command(name = "declare_queue", mixinStandardHelpOptions = true,
    description = "Declares a queue; declaring an existing queue with the same arguments changes nothing.")
final class DeclareQueueCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("queue", "created", "leader", "replicas", "group", "arguments");

    @Parameters(index = "0", paramLabel = "NAME", description = "Queue name (1 to 255 bytes of UTF-8).")
    private String name;

    @Option(names = "--argument", paramLabel = "KEY=VALUE",
        description = "A declare argument, repeatable: ack-mode=quorum|local, queue-log=shared|dedicated,"
            + " batch-size, batch-bytes, batch-linger-ms, and the limits message-ttl, expires, max-length,"
            + " max-length-bytes, overflow=drop-head|reject-publish, delivery-limit, dead-letter-queue,"
            + " consumer-timeout, single-active-consumer=true|false (also as x-max-length and so on).")
    private Map<String, String> arguments = new LinkedHashMap<>();

    @Override
    protected void run(ClusterClient client, Output output) {
        DeclareQueueRequest request = DeclareQueueRequest.newBuilder().setQueue(name).putAllArguments(arguments).build();
        DeclareQueueResponse response = client.queue(queues -> queues.declareQueue(request));
        QueueInfo queue = response.getQueue();
        Map<String, Object> row = StatusJson.fields(queue);
        row.put("queue", queue.getName().isEmpty() ? name : queue.getName());
        row.put("created", response.getCreated());
        output.row(COLUMNS, row);
    }
}
