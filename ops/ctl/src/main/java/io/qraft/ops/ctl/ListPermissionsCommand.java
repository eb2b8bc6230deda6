package io.qraft.ops.ctl;

import io.qraft.api.v1.ListPermissionsRequest;
import picocli.CommandLine.Command;

/** {@code list_permissions}: every user's permissions, sorted by user. */
@Command(name = "list_permissions", mixinStandardHelpOptions = true, description = "Lists every user's permissions.")
class ListPermissionsCommand extends CtlCommand {

    /** The user whose permissions to list; empty for all. */
    String user() {
        return "";
    }

    @Override
    protected void run(ClusterClient client, Output output) {
        output.rows(SetPermissionsCommand.COLUMNS, client.admin(admin -> admin.listPermissions(
                ListPermissionsRequest.newBuilder().setUser(user()).build()))
            .getPermissionsList().stream().map(SetPermissionsCommand::row).toList());
    }
}
