package io.qraft.ops.ctl;

import io.grpc.ManagedChannel;
import io.qraft.api.HostPort;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.Function;

/** One qraftctl run in the test's JVM: its exit code and what it printed. */
record CtlRun(int exitCode, String out, String err) {

    static CtlRun run(Function<HostPort, ManagedChannel> channels, String... args) {
        return run(Map.of(), channels, args);
    }

    /** A run in this environment instead of the test's own, which may set QRAFT_USER. */
    static CtlRun run(Map<String, String> environment, Function<HostPort, ManagedChannel> channels,
            String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QraftCtl.commandLine(new QraftCtl(channels, environment::get), new PrintWriter(out),
                new PrintWriter(err))
            .execute(args);
        return new CtlRun(code, out.toString(), err.toString());
    }

    /** A run that must not reach any node. */
    static CtlRun offline(String... args) {
        return offline(Map.of(), args);
    }

    static CtlRun offline(Map<String, String> environment, String... args) {
        return run(environment, node -> {
            throw new AssertionError("connected to " + node);
        }, args);
    }
}
