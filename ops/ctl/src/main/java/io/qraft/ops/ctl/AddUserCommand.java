package io.qraft.ops.ctl;

import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.UserInfo;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code add_user NAME [--tags T,...]}: a new user; its password is read, never an argument. */
@Command(name = "add_user", mixinStandardHelpOptions = true,
    description = "Adds a user. The password is read from standard input or --new-password-file, never "
        + "from the command line.")
final class AddUserCommand extends UserPasswordCommand {

    @Option(names = "--tags", paramLabel = "TAG", split = ",",
        description = "administrator (cluster operations, users, policies), monitoring (read-only status); "
            + "none for an application user.")
    private List<String> tags = new ArrayList<>();

    @Override
    protected void run(ClusterClient client, Output output) {
        UserInfo user = client.admin(admin -> admin.addUser(AddUserRequest.newBuilder().setName(user())
            .setPassword(password()).addAllTags(tags).build()));
        output.row(ListUsersCommand.COLUMNS, ListUsersCommand.row(user));
    }
}
