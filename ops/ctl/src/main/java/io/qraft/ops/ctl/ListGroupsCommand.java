package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.GroupStatus;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code list_groups}: the Raft groups of the cluster, one row each. */
@Command(name = "list_groups", mixinStandardHelpOptions = true,
    description = "Lists the Raft groups: the metadata group, the shards that carry queues and the dedicated "
        + "groups, with their leader, replicas, queue count and Raft term (which goes up with every "
        + "election: compare two readings to count elections).")
final class ListGroupsCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("group", "kind", "leader", "replicas", "queues", "term");

    @Override
    protected void run(ClusterClient client, Output output) {
        ClusterStatusResponse status = client.admin(admin -> admin.clusterStatus(ClusterStatusRequest.getDefaultInstance()));
        output.rows(COLUMNS, status.getGroupsList().stream().map(ListGroupsCommand::row).toList());
    }

    static Map<String, Object> row(GroupStatus g) {
        return StatusJson.fields(g);
    }
}
