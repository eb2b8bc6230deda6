package io.qraft.ops.ctl;

import io.qraft.api.v1.QueueMove;
import io.qraft.api.v1.RebalanceRequest;
import io.qraft.api.v1.RebalanceResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code rebalance}: spreads group leaders evenly over the running nodes, and queues evenly over
 * the shards of each replica set. One listing, a row per move: {@code kind} says which.
 */
@Command(name = "rebalance", mixinStandardHelpOptions = true,
    description = "Moves group leaders so that running nodes lead within one of the same number of groups "
        + "(as replica sets allow), and moves queues so that the shards of each replica set carry within one "
        + "of the same number of queues (dedicated shards take no part; a queue keeps its replica set). "
        + "Prints one row per move: kind leader (from and to are nodes; queues lists every queue the group "
        + "carries) or kind queue (from and to are shard groups). A queue move not done within the wait goes "
        + "on in the background (moved false).")
final class RebalanceCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("kind", "group", "from", "to", "moved", "queues", "error");

    @Override
    protected void run(ClusterClient client, Output output) {
        RebalanceResponse r = client.admin(admin -> admin.rebalance(RebalanceRequest.getDefaultInstance()));
        List<Map<String, Object>> rows = new ArrayList<>();
        r.getMovesList().forEach(m -> {
            Map<String, Object> row = Output.row("kind", "leader");
            row.putAll(TransferLeaderCommand.row(m));
            rows.add(row);
        });
        r.getQueueMovesList().forEach(m -> rows.add(row(m)));
        output.rows(COLUMNS, rows);
    }

    static Map<String, Object> row(QueueMove move) {
        return Output.row(
            "kind", "queue",
            "group", "",
            "from", move.getFromGroup(),
            "to", move.getToGroup(),
            "moved", move.getMoved(),
            "queues", List.of(move.getQueue()),
            "error", move.getError());
    }
}
