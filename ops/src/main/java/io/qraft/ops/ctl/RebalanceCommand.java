package io.qraft.ops.ctl;

import io.qraft.api.v1.RebalanceRequest;
import io.qraft.api.v1.RebalanceResponse;
import picocli.CommandLine.Command;

/** {@code rebalance}: spreads group leaders evenly over the running nodes. */
@Command(name = "rebalance", mixinStandardHelpOptions = true,
    description = "Moves group leaders so that running nodes lead within one of the same number of groups "
        + "(as replica sets allow), and lists the moves with the queues each one carried.")
final class RebalanceCommand extends CtlCommand {

    @Override
    protected void run(ClusterClient client, Output output) {
        RebalanceResponse r = client.admin(admin -> admin.rebalance(RebalanceRequest.getDefaultInstance()));
        output.rows(TransferLeaderCommand.COLUMNS, r.getMovesList().stream().map(TransferLeaderCommand::row).toList());
    }
}
