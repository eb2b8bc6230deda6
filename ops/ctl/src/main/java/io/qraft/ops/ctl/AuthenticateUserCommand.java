package io.qraft.ops.ctl;

import io.qraft.api.v1.AuthenticateUserRequest;
import io.qraft.api.v1.AuthenticateUserResponse;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code authenticate_user NAME}: checks a user name and password (read, never an argument);
 * exits with 0 when they are valid and 1 when not, as rabbitmqctl's does.
 */
@Command(name = "authenticate_user", mixinStandardHelpOptions = true,
    description = "Checks a user's password (from standard input or --new-password-file): exit status 0 when "
        + "valid, 1 when not.")
final class AuthenticateUserCommand extends UserPasswordCommand {

    @Override
    protected void run(ClusterClient client, Output output) {
        AuthenticateUserResponse r = client.admin(admin -> admin.authenticateUser(
            AuthenticateUserRequest.newBuilder().setName(user()).setPassword(password()).build()));
        if (!r.getAuthenticated()) {
            // Exit status 1 through the error reporter, with one line saying why.
            throw io.grpc.Status.UNAUTHENTICATED.withDescription("wrong user name or password for '" + user() + "'")
                .asRuntimeException();
        }
        output.row(List.of("user", "authenticated", "tags"),
            Output.row("user", user(), "authenticated", true, "tags", r.getTagsList()));
    }
}
