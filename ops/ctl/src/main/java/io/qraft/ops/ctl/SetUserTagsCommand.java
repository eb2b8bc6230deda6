package io.qraft.ops.ctl;

import io.qraft.api.v1.SetUserTagsRequest;
import io.qraft.api.v1.UserInfo;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code set_user_tags NAME [TAG...]}: replaces the user's tags; none makes an application user. */
@Command(name = "set_user_tags", mixinStandardHelpOptions = true,
    description = "Replaces a user's tags (administrator, monitoring); give none to remove them all.")
final class SetUserTagsCommand extends OneUserCommand {

    @Parameters(index = "1..*", paramLabel = "TAG", description = "administrator or monitoring.")
    private List<String> tags = new ArrayList<>();

    @Override
    protected void run(ClusterClient client, Output output) {
        UserInfo user = client.admin(admin -> admin.setUserTags(SetUserTagsRequest.newBuilder().setName(user())
            .addAllTags(tags).build()));
        output.row(ListUsersCommand.COLUMNS, ListUsersCommand.row(user));
    }
}
