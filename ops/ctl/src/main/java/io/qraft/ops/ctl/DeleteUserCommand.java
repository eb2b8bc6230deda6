package io.qraft.ops.ctl;

import io.qraft.api.v1.DeleteUserRequest;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code delete_user NAME}: the user and its permissions are gone. */
@Command(name = "delete_user", mixinStandardHelpOptions = true,
    description = "Deletes a user and its permissions.")
final class DeleteUserCommand extends OneUserCommand {

    @Override
    protected void run(ClusterClient client, Output output) {
        client.admin(admin -> admin.deleteUser(DeleteUserRequest.newBuilder().setName(user()).build()));
        output.row(List.of("user", "deleted"), Output.row("user", user(), "deleted", true));
    }
}
