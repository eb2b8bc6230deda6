package io.qraft.ops.ctl;

import io.qraft.api.v1.ReplicaChangeRequest;
import io.qraft.api.v1.ReplicaChangeResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Parameters;

/**
 * {@code add_replica} and {@code delete_replica}: the queue moves to a shard whose replica
 * set has, or lacks, NODE. Prints the queue as it stands when the move is done (or when the
 * wait ends; the move then goes on in the background).
 */
abstract class ReplicaChangeCommand extends CtlCommand {

    static final List<QueueColumn> QUEUE_COLUMNS =
        List.of(QueueColumn.NAME, QueueColumn.LEADER, QueueColumn.REPLICAS, QueueColumn.SYNCHRONISED_REPLICAS);

    @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue name.")
    private String queue;

    @Parameters(index = "1", paramLabel = "NODE", description = "Node id.")
    private String node;

    abstract ReplicaChangeResponse call(ClusterClient client, ReplicaChangeRequest request);

    @Override
    protected void run(ClusterClient client, Output output) {
        ReplicaChangeResponse r = call(client, ReplicaChangeRequest.newBuilder().setQueue(queue).setNode(node).build());
        Map<String, Object> row = new LinkedHashMap<>(ListQueuesCommand.row(QUEUE_COLUMNS, r.getQueue()));
        row.put("moved", r.getMoved());
        output.row(List.copyOf(row.keySet()), row);
    }
}
