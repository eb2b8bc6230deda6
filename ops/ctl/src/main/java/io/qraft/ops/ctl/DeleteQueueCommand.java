package io.qraft.ops.ctl;

import io.qraft.api.v1.DeleteQueueRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code delete_queue NAME}: deletes a queue and the messages in it. */
@Command(name = "delete_queue", mixinStandardHelpOptions = true,
    description = "Deletes a queue with its messages, ready and unacked.")
final class DeleteQueueCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("queue", "messages_deleted");

    @Parameters(index = "0", paramLabel = "NAME", description = "Queue name.")
    private String name;

    @Override
    protected void run(ClusterClient client, Output output) {
        long deleted = client.queue(queues -> queues.deleteQueue(DeleteQueueRequest.newBuilder().setQueue(name).build()))
            .getMessagesDeleted();
        output.row(COLUMNS, Output.row("queue", name, "messages_deleted", deleted));
    }
}
