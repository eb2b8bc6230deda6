package io.qraft.ops.ctl;

import io.qraft.api.v1.ReplicaChangeRequest;
import io.qraft.api.v1.ReplicaChangeResponse;
import picocli.CommandLine.Command;

/** {@code add_replica QUEUE NODE}. */
@Command(name = "add_replica", mixinStandardHelpOptions = true,
    description = "Gives QUEUE a replica on NODE: the queue moves to a shard whose replica set has it. The queue "
        + "keeps that set until its policy's ha-mode, ha-params or queue-log change.")
final class AddReplicaCommand extends ReplicaChangeCommand {
    @Override
    ReplicaChangeResponse call(ClusterClient client, ReplicaChangeRequest request) {
        return client.admin(admin -> admin.addReplica(request));
    }
}
