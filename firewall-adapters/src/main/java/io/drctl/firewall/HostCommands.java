package io.drctl.firewall;

import io.drctl.host.Batch;
import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import java.time.Duration;
import java.util.List;
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

    private static final String CONNTRACK_ABSENT = "drctl-conntrack: absent";

    /**
     * The command that deletes the sources' tracked connections to the port ({@code conntrack -D}), so that a
     * connection opened before the fence does not live on through an ESTABLISHED rule; {@link #cutNote} reads it.
     */
    static String cutConnectionsCommand(Fence fence) {
        StringBuilder deletes = new StringBuilder();
        for (Cidr c : fence.sources()) {
            deletes.append("conntrack -D -f ").append(c.isIpv6() ? "ipv6" : "ipv4").append(" -p tcp --dport ").append(fence.port())
                    .append(" -s ").append(c).append(" 2>/dev/null; ");
        }
        return "if command -v conntrack >/dev/null 2>&1; then " + deletes + "true; else echo '" + CONNTRACK_ABSENT + "'; fi";
    }

    /**
     * @param withoutConntrack what happens to held connections on a host without conntrack, for the note
     * @return a note for the change: how many flows were deleted, or that conntrack is not installed
     */
    static String cutNote(CommandResult r, String withoutConntrack) {
        if (r.stdout().contains(CONNTRACK_ABSENT)) {
            return "conntrack not installed: " + withoutConntrack;
        }
        long flows = r.stdout().lines().filter(l -> !l.isBlank()).count();
        return "conntrack: " + flows + " live connection(s) from the sources cut";
    }

    /** Cuts the sources' live connections now (one command); the note says what happened. */
    String cutConnections(Fence fence, String withoutConntrack) throws FirewallException {
        return cutNote(run(cutConnectionsCommand(fence), "cutting live connections from " + fence.sources()), withoutConntrack);
    }

    /**
     * Runs {@code commands} in one round trip ({@link Batch}); one result per command, non-zero exits returned,
     * only host-access failures throw.
     */
    List<CommandResult> runAll(List<String> commands, String doing) throws FirewallException {
        if (commands.isEmpty()) {
            return List.of();
        }
        try {
            return Batch.run(runner, commands, timeout);
        } catch (HostAccessException e) {
            throw FirewallException.from(e, doing);
        }
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
