package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.LeaderMove;
import io.qraft.api.v1.TransferLeaderRequest;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code transfer_leader QUEUE [NODE]}: moves the leadership of a queue's group. */
@Command(name = "transfer_leader", mixinStandardHelpOptions = true,
    description = "Moves the leadership of the Raft group that carries QUEUE to NODE (default: its replica "
        + "leading the fewest groups). Every queue of that group moves with it; they are listed.")
final class TransferLeaderCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("group", "from", "to", "moved", "queues", "error");

    @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue name.")
    private String queue;

    @Parameters(index = "1", paramLabel = "NODE", arity = "0..1", description = "Node id of the new leader.")
    private String node = "";

    @Override
    protected void run(ClusterClient client, Output output) {
        LeaderMove move = client.admin(admin -> admin.transferLeader(
            TransferLeaderRequest.newBuilder().setQueue(queue).setNode(node).build())).getMove();
        output.row(COLUMNS, row(move));
        if (!move.getError().isEmpty()) {
            throw new IllegalStateException("leadership of queue '" + queue + "' stays on " + move.getFrom() + ": " + move.getError());
        }
    }

    static Map<String, Object> row(LeaderMove move) {
        Map<String, Object> row = StatusJson.fields(move);
        row.put("moved", move.getError().isEmpty());
        return row;
    }
}
