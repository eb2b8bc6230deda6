package io.qraft.ops.ctl;

import io.qraft.api.v1.DeleteUserRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code delete_user NAME}: the user and its permissions are gone. */
@Command(name = "delete_user", mixinStandardHelpOptions = true,
    description = "Deletes a user and its permissions.")
final class DeleteUserCommand extends CtlCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "User name.")
    private String name;

    @Override
    protected void run(ClusterClient client, Output output) {
        client.admin(admin -> admin.deleteUser(DeleteUserRequest.newBuilder().setName(name).build()));
        output.row(List.of("user", "deleted"), Output.row("user", name, "deleted", true));
    }
}
