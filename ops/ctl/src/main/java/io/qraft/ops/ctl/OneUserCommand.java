package io.qraft.ops.ctl;

import picocli.CommandLine.Parameters;

/** A command about one user, named by its first argument. */
abstract class OneUserCommand extends CtlCommand {

    @Parameters(index = "0", paramLabel = "USER", description = "User name (no ':').")
    private String user;

    protected final String user() {
        return user;
    }
}
