package io.qraft.ops.ctl;

import io.qraft.api.v1.ChangePasswordRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code change_password NAME}: the new password is read, never an argument. */
@Command(name = "change_password", mixinStandardHelpOptions = true,
    description = "Changes a user's password, read from standard input or --new-password-file.")
final class ChangePasswordCommand extends CtlCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "User name.")
    private String name;

    @Mixin
    private NewPassword password;

    private String secret;

    @Override
    protected void checkArguments() {
        secret = password.read();
    }

    @Override
    protected void run(ClusterClient client, Output output) {
        client.admin(admin -> admin.changePassword(ChangePasswordRequest.newBuilder().setName(name)
            .setPassword(secret).build()));
        output.row(List.of("user", "password_changed"), Output.row("user", name, "password_changed", true));
    }
}
