package io.drctl.firewall;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import java.time.Duration;
import java.util.Objects;

/** Runs one backend's commands on one host and classifies failures by exit code (never by text). */
final class HostCommands {

    /** Exit code of POSIX shells when a command is not found. */
    static final int EXIT_NOT_FOUND = 127;
    /** iptables' exit code for "resource problem", which is what a missing privilege yields. */
    static final int IPTABLES_EXIT_RESOURCE = 4;

    private final CommandRunner runner;
    private final Duration timeout;
    private final String backend;

    HostCommands(CommandRunner runner, Duration timeout, String backend) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.backend = backend;
    }

    String target() {
        return runner.describe() + " (" + backend + ")";
    }

    CommandRunner runner() {
        return runner;
    }

    /** Runs {@code command}; a non-zero exit is returned, only host-access failures throw. */
    CommandResult run(String command, String doing) throws FirewallException {
        try {
            return runner.run(command, timeout);
        } catch (HostAccessException e) {
            throw FirewallException.from(e, doing);
        }
    }

    /** Runs {@code command} and requires exit 0, else throws a classified {@link FirewallException}. */
    CommandResult require(String command, String doing) throws FirewallException {
        CommandResult r = run(command, doing);
        if (!r.succeeded()) {
            throw failure(r, doing);
        }
        return r;
    }

    /**
     * Classifies a failed Linux command: 127 → backend missing; iptables 4 → permission denied;
     * any other failure while not running as uid 0 → permission denied; else command failed.
     */
    FirewallException failure(CommandResult r, String doing) throws FirewallException {
        if (r.exitCode() == EXIT_NOT_FOUND) {
            return new FirewallException(FirewallException.Kind.BACKEND_MISSING, target(),
                    doing + ": expected " + backend + " to be installed, the shell says command not found (exit 127): " + r.lastLine());
        }
        if (r.exitCode() == IPTABLES_EXIT_RESOURCE && backend.startsWith("ip")) {
            return permissionDenied(r, doing);
        }
        if (runner.os() == CommandRunner.OsFamily.LINUX && !isRoot()) {
            return permissionDenied(r, doing);
        }
        return new FirewallException(FirewallException.Kind.COMMAND_FAILED, target(),
                doing + ": expected exit 0, got " + r.exitCode() + ": " + r.lastLine());
    }

    private FirewallException permissionDenied(CommandResult r, String doing) {
        return new FirewallException(FirewallException.Kind.PERMISSION_DENIED, target(),
                doing + ": " + backend + " needs root (exit " + r.exitCode() + "): " + r.lastLine());
    }

    private boolean isRoot() throws FirewallException {
        CommandResult id = run("id -u", "checking privileges");
        return id.succeeded() && id.stdout().strip().equals("0");
    }
}
