package io.qraft.ops.ctl;

import io.qraft.api.v1.ChangePasswordRequest;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code change_password NAME}: the new password is read, never an argument. */
@Command(name = "change_password", mixinStandardHelpOptions = true,
    description = "Changes a user's password, read from standard input or --new-password-file.")
final class ChangePasswordCommand extends UserPasswordCommand {

    @Override
    protected void run(ClusterClient client, Output output) {
        client.admin(admin -> admin.changePassword(ChangePasswordRequest.newBuilder().setName(user())
            .setPassword(password()).build()));
        output.row(List.of("user", "password_changed"), Output.row("user", user(), "password_changed", true));
    }
}
