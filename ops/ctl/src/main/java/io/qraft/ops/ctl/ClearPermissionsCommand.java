package io.qraft.ops.ctl;

import io.qraft.api.v1.ClearPermissionsRequest;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code clear_permissions USER}: the user may then touch no queue. */
@Command(name = "clear_permissions", mixinStandardHelpOptions = true,
    description = "Clears a user's permissions: it may then touch no queue.")
final class ClearPermissionsCommand extends OneUserCommand {

    @Override
    protected void run(ClusterClient client, Output output) {
        client.admin(admin -> admin.clearPermissions(ClearPermissionsRequest.newBuilder().setUser(user()).build()));
        output.row(List.of("user", "cleared"), Output.row("user", user(), "cleared", true));
    }
}
