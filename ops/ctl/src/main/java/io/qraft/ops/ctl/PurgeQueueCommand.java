package io.qraft.ops.ctl;

import io.qraft.api.v1.PurgeQueueRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code purge_queue NAME}: drops the ready messages of a queue. */
@Command(name = "purge_queue", mixinStandardHelpOptions = true,
    description = "Drops the ready messages of a queue; messages delivered and not yet acked stay.")
final class PurgeQueueCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("queue", "messages_purged");

    @Parameters(index = "0", paramLabel = "NAME", description = "Queue name.")
    private String name;

    @Override
    protected void run(ClusterClient client, Output output) {
        long purged = client.queue(queues -> queues.purgeQueue(PurgeQueueRequest.newBuilder().setQueue(name).build()))
            .getMessagesPurged();
        output.row(COLUMNS, Output.row("queue", name, "messages_purged", purged));
    }
}
