package io.qraft.ops.ctl;

import io.qraft.api.v1.ClearPolicyRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code clear_policy NAME}: removes a policy; the queues it applied to take their next policy, or none. */
@Command(name = "clear_policy", mixinStandardHelpOptions = true,
    description = "Clears a policy; the queues it applied to go on with the next matching policy, or none.")
final class ClearPolicyCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("policy", "cleared");

    @Parameters(index = "0", paramLabel = "NAME", description = "Policy name.")
    private String name;

    @Override
    protected void run(ClusterClient client, Output output) {
        client.admin(admin -> admin.clearPolicy(ClearPolicyRequest.newBuilder().setName(name).build()));
        output.row(COLUMNS, Output.row("policy", name, "cleared", true));
    }
}
