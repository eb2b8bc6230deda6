package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.StopNodeRequest;
import io.qraft.api.v1.StopNodeResponse;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stop_node [NODE]}: a clean stop, leaders handed over first. */
@Command(name = "stop_node", mixinStandardHelpOptions = true,
    description = "Stops NODE (default: the node qraftctl talks to) cleanly: it hands the leadership of every "
        + "group it leads to another replica, answers, then exits. A queue with two replicas pauses while "
        + "the stopped node is away (Raft needs both); three replicas keep serving.")
final class StopNodeCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("node", "groups_handed_over");

    @Parameters(index = "0", paramLabel = "NODE", arity = "0..1", description = "Node id.")
    private String node = "";

    @Override
    protected void run(ClusterClient client, Output output) {
        StopNodeResponse r = client.admin(admin -> admin.stopNode(StopNodeRequest.newBuilder().setNode(node).build()));
        output.row(COLUMNS, StatusJson.fields(r));
    }
}
