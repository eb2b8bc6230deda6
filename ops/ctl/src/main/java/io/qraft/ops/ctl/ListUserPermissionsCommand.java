package io.qraft.ops.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code list_user_permissions USER}: one user's permissions. */
@Command(name = "list_user_permissions", mixinStandardHelpOptions = true, description = "Lists one user's permissions.")
final class ListUserPermissionsCommand extends ListPermissionsCommand {

    @Parameters(index = "0", paramLabel = "USER", description = "User name.")
    private String user;

    @Override
    String user() {
        return user;
    }
}
