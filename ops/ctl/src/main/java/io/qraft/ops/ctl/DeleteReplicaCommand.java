package io.qraft.ops.ctl;

import io.qraft.api.v1.ReplicaChangeRequest;
import io.qraft.api.v1.ReplicaChangeResponse;
import picocli.CommandLine.Command;

/** {@code delete_replica QUEUE NODE}. */
@Command(name = "delete_replica", mixinStandardHelpOptions = true,
    description = "Removes the replica of QUEUE on NODE: the queue moves to a shard whose replica set lacks it. The "
        + "queue keeps that set until its policy's ha-mode, ha-params or queue-log change.")
final class DeleteReplicaCommand extends ReplicaChangeCommand {
    @Override
    ReplicaChangeResponse call(ClusterClient client, ReplicaChangeRequest request) {
        return client.admin(admin -> admin.deleteReplica(request));
    }
}
