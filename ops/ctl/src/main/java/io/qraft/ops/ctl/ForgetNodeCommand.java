package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.ForgetNodeRequest;
import io.qraft.api.v1.ForgetNodeResponse;
import io.qraft.api.v1.ReplicaReplacement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code forget_node NODE}: a node lost for good leaves the cluster; its shards get new members. */
@Command(name = "forget_node", mixinStandardHelpOptions = true,
    description = "Removes NODE, lost for good, from the cluster: every shard that had a replica on it gets a "
        + "replacement member (the node with the fewest replicas, then the fewest queues), so its queues keep "
        + "their replica count; with no spare node the shard shrinks. NODE must be down: stop it first. Prints "
        + "one row per shard it had (outcome replaced, shrunk, pending or stuck). The node is never placed on "
        + "again; do not start it again with its old data.")
final class ForgetNodeCommand extends CtlCommand {

    static final List<String> COLUMNS =
        List.of("node", "group", "queues", "replacement", "replicas", "outcome", "done");

    @Parameters(index = "0", paramLabel = "NODE", description = "Node id.")
    private String node;

    @Override
    protected void run(ClusterClient client, Output output) {
        ForgetNodeResponse r = client.admin(admin -> admin.forgetNode(ForgetNodeRequest.newBuilder().setNode(node).build()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ReplicaReplacement s : r.getShardsList()) {
            Map<String, Object> row = StatusJson.fields(s);
            row.put("node", r.getNode());
            row.put("done", r.getDone());
            rows.add(row);
        }
        output.rows(COLUMNS, rows);
    }
}
