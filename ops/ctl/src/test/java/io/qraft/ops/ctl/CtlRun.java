package io.qraft.ops.ctl;

import io.grpc.ManagedChannel;
import io.qraft.api.HostPort;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Function;

/** One qraftctl run in the test's JVM: its exit code and what it printed. */
record CtlRun(int exitCode, String out, String err) {

    static CtlRun run(Function<HostPort, ManagedChannel> channels, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QraftCtl.commandLine(new QraftCtl(channels), new PrintWriter(out), new PrintWriter(err))
            .execute(args);
        return new CtlRun(code, out.toString(), err.toString());
    }

    /** A run that must not reach any node. */
    static CtlRun offline(String... args) {
        return run(node -> {
            throw new AssertionError("connected to " + node);
        }, args);
    }
}
