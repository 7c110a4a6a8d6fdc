package io.drctl.host;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of one command run on a host: exit status and captured output.
 *
 * @param exitCode the command's exit status (0 = success by convention)
 * @param stdout   everything the command wrote to standard output, decoded as UTF-8
 * @param stderr   everything the command wrote to standard error, decoded as UTF-8
 * @param elapsed  wall-clock time from start to exit
 */
public record CommandResult(int exitCode, String stdout, String stderr, Duration elapsed) {
    public CommandResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Last non-blank line of stderr, else of stdout: the part worth quoting in an error message. */
    public String lastLine() {
        String pick = stderr.isBlank() ? stdout : stderr;
        String[] lines = pick.strip().split("\\R");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }
}
