package io.qraft.ops.ctl;

import picocli.CommandLine.Mixin;

/**
 * A command about one user that takes a password (add_user, change_password,
 * authenticate_user): the password is read before anything is sent, from standard input or
 * {@code --new-password-file}, never from an argument.
 */
abstract class UserPasswordCommand extends OneUserCommand {

    @Mixin
    private NewPassword password;

    private String secret;

    @Override
    protected void checkArguments() {
        secret = password.read();
    }

    protected final String password() {
        return secret;
    }
}
