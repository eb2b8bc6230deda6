package io.qraft.ops.ctl;

import io.grpc.ManagedChannel;
import io.qraft.api.HostPort;
import io.qraft.client.BasicCredentials;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code qraftctl}: inspects and manages a qraft cluster over gRPC.
 *
 * <p>Exit codes: 0 success; 1 the cluster refused or could not be reached (one line
 * {@code Error: <status code>: <message>} on stderr); 2 the command line is wrong (picocli's
 * message and the usage on stderr).
 *
 * <p>One instance runs one command line.
 */
@Command(name = "qraftctl",
    mixinStandardHelpOptions = true,
    versionProvider = QraftCtl.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "Inspects and manages a qraft cluster.",
    subcommands = {
        ClusterStatusCommand.class,
        ListQueuesCommand.class,
        ListGroupsCommand.class,
        DeclareQueueCommand.class,
        DeleteQueueCommand.class,
        PurgeQueueCommand.class,
        SetPolicyCommand.class,
        ClearPolicyCommand.class,
        ListPoliciesCommand.class,
        PublishCommand.class,
        GetCommand.class,
        TransferLeaderCommand.class,
        RebalanceCommand.class,
        StopNodeCommand.class,
        ForgetNodeCommand.class,
        AddReplicaCommand.class,
        DeleteReplicaCommand.class,
        SyncQueueCommand.class,
        CancelSyncQueueCommand.class,
        AddUserCommand.class,
        DeleteUserCommand.class,
        ChangePasswordCommand.class,
        SetUserTagsCommand.class,
        ListUsersCommand.class,
        AuthenticateUserCommand.class,
        SetPermissionsCommand.class,
        ClearPermissionsCommand.class,
        ListPermissionsCommand.class,
        ListUserPermissionsCommand.class,
        HelpCommand.class,
    })
public final class QraftCtl implements Callable<Integer> {

    @Mixin
    private ConnectionOptions connection;

    @Spec
    private CommandSpec spec;

    // gRPC logs through java.util.logging; a failed DNS lookup would print a stack trace there
    // before qraftctl prints its own one-line error. Held here because JUL keeps loggers weakly.
    private static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

    private final Function<HostPort, ManagedChannel> channelFactory;
    private final Function<String, String> environment;

    public QraftCtl() {
        // Chosen in connect(): plaintext, or TLS with --ca-file.
        this(null, System::getenv);
    }

    QraftCtl(Function<HostPort, ManagedChannel> channelFactory) {
        this(channelFactory, System::getenv);
    }

    /** With channels and environment variables of the test's choosing. */
    QraftCtl(Function<HostPort, ManagedChannel> channelFactory, Function<String, String> environment) {
        this.channelFactory = channelFactory;
        this.environment = environment;
    }

    public static void main(String[] args) {
        GRPC_LOG.setLevel(Level.OFF);
        // UTF-8 whatever the locale: message bodies and JSON are UTF-8.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
            StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
            StandardCharsets.UTF_8), true);
        int exitCode = commandLine(new QraftCtl(), out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(exitCode);
    }

    /** The command line of an instance, printing to the given writers. */
    static CommandLine commandLine(QraftCtl ctl, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(ctl);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new ErrorReporter());
        return commandLine;
    }

    /** Without a command there is nothing to do: a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command: give one of "
            + String.join(", ", spec.subcommands().keySet()));
    }

    ConnectionOptions connection() {
        return connection;
    }

    /**
     * A client of the nodes, with the credentials if any.
     *
     * @param commandLine the command's, for a usage error
     * @throws ParameterException when the credentials options are wrong (exit code 2)
     */
    ClusterClient connect(CommandLine commandLine) {
        BasicCredentials credentials;
        Function<HostPort, ManagedChannel> channels = channelFactory;
        try {
            credentials = connection.credentials(environment);
            connection.checkTls();
            if (channels == null) {
                channels = ClusterClient.channelFactory(connection.caFile(), connection.certFile(),
                    connection.keyFile());
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage());
        }
        return new ClusterClient(connection.nodes(), connection.timeout(), channels, credentials);
    }

    /** The version from the jar's manifest. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = QraftCtl.class.getPackage().getImplementationVersion();
            return new String[] {"qraftctl " + (version == null ? "(development build)" : version)};
        }
    }
}
