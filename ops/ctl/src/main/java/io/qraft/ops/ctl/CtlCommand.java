package io.qraft.ops.ctl;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every qraftctl command does around its own work: connect to the cluster with the
 * connection options, print through an {@link Output} in the chosen format, close the
 * connection. A failure propagates to {@link ErrorReporter}.
 *
 * <p>Picocli creates one instance per run; it runs once, on one thread.
 */
abstract class CtlCommand implements Callable<Integer> {

    @ParentCommand
    private QraftCtl ctl;

    @Spec
    private CommandSpec spec;

    @Override
    public final Integer call() {
        checkArguments();
        ConnectionOptions options = ctl.connection();
        try (ClusterClient client = ctl.connect(spec.commandLine())) {
            run(client, new Output(options.format(), spec.commandLine().getOut()));
        }
        return 0;
    }

    /**
     * Checks what picocli cannot check alone, before any connection is made.
     *
     * @throws CommandLine.ParameterException for a usage error (exit code 2)
     */
    protected void checkArguments() {
    }

    /** The command line of this command, for usage errors. */
    protected final CommandLine commandLine() {
        return spec.commandLine();
    }

    /** Does the command's calls and prints the result. */
    protected abstract void run(ClusterClient client, Output output);
}
