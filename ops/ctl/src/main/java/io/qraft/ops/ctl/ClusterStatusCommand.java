package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.NodeStatusResponse;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code cluster_status}: one row per node, as the answering node sees the cluster. */
@Command(name = "cluster_status", mixinStandardHelpOptions = true,
    description = "Shows every node: its addresses, whether it runs, the Raft groups it carries and leads, "
        + "its threads and resident memory, "
        + "and whether it was forgotten (forget_node; a forgotten node is not asked).")
final class ClusterStatusCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of(
        "node", "grpc_address", "raft_address", "running", "groups", "groups_led", "threads", "resident_bytes", "forgotten");

    @Override
    protected void run(ClusterClient client, Output output) {
        ClusterStatusResponse status = client.admin(admin -> admin.clusterStatus(ClusterStatusRequest.getDefaultInstance()));
        output.rows(COLUMNS, status.getNodesList().stream().map(ClusterStatusCommand::row).toList());
    }

    static Map<String, Object> row(NodeStatusResponse node) {
        return StatusJson.fields(node);
    }
}
