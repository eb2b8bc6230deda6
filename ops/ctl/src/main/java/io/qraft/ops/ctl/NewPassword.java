package io.qraft.ops.ctl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The password a user command sets or checks: the first line of {@code --new-password-file},
 * or of standard input. Never an argument: a command line shows up in {@code ps} and in shell
 * history.
 */
final class NewPassword {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--new-password-file", paramLabel = "FILE",
        description = "Read the password from the first line of FILE (default: the first line of standard input).")
    private Path file;

    /** @throws CommandLine.ParameterException when there is no password to read (exit code 2) */
    String read() {
        String line;
        try {
            if (file != null) {
                try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    line = in.readLine();
                }
            } else {
                line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "Cannot read the password from " + (file != null ? "'" + file + "'" : "standard input")
                    + ": " + e.getMessage());
        }
        if (line == null || line.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "No password: give it on the first line of "
                + (file != null ? "'" + file + "'" : "standard input (or use --new-password-file FILE)"));
        }
        return line;
    }
}
