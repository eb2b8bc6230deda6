package io.qraft.ops.ctl;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * A command about one user that takes a password (add_user, change_password,
 * authenticate_user): the password is read before anything is sent, from standard input or
 * {@code --new-password-file}, never from an argument.
 */
abstract class UserPasswordCommand extends CtlCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "User name (no ':').")
    private String name;

    @Mixin
    private NewPassword password;

    private String secret;

    @Override
    protected void checkArguments() {
        secret = password.read();
    }

    protected final String name() {
        return name;
    }

    protected final String password() {
        return secret;
    }
}
