package io.qraft.ops.ctl;

import io.qraft.api.v1.SyncQueueRequest;
import io.qraft.api.v1.SyncQueueResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sync_queue QUEUE}: copies the old messages of a moved queue onto its replicas. */
@Command(name = "sync_queue", mixinStandardHelpOptions = true,
    description = "Copies the messages a moved queue left on its old replicas (ha-sync-mode manual) onto its "
        + "current replicas, in the background; the queue serves throughout. Waits up to 30 s for the copy.")
class SyncQueueCommand extends CtlCommand {

    @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue name.")
    private String queue;

    boolean cancel() {
        return false;
    }

    @Override
    protected void run(ClusterClient client, Output output) {
        SyncQueueRequest request = SyncQueueRequest.newBuilder().setQueue(queue).build();
        SyncQueueResponse r = client.admin(admin -> cancel() ? admin.cancelSyncQueue(request) : admin.syncQueue(request));
        Map<String, Object> row = new LinkedHashMap<>(ListQueuesCommand.row(ReplicaChangeCommand.QUEUE_COLUMNS, r.getQueue()));
        row.put("synchronised", r.getSynchronised());
        output.row(List.copyOf(row.keySet()), row);
    }
}
