package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.ListUsersRequest;
import io.qraft.api.v1.UserInfo;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code list_users}: one row per user, sorted by name; never a password or hash. */
@Command(name = "list_users", mixinStandardHelpOptions = true, description = "Lists the users and their tags.")
final class ListUsersCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("name", "tags");

    @Override
    protected void run(ClusterClient client, Output output) {
        List<UserInfo> users = client.admin(admin -> admin.listUsers(ListUsersRequest.getDefaultInstance()))
            .getUsersList();
        output.rows(COLUMNS, users.stream().map(ListUsersCommand::row).toList());
    }

    static Map<String, Object> row(UserInfo user) {
        return StatusJson.fields(user);
    }
}
