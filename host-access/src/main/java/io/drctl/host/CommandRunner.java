package io.drctl.host;

import java.time.Duration;

/**
 * Runs command lines on one host: locally (Commons Exec), inside a network namespace, or over SSH.
 *
 * <p>The command is a shell command line: POSIX {@code sh -c} on Linux hosts, PowerShell on Windows
 * hosts reached over OpenSSH. Callers build it only from validated values ({@link Values}) or quoted
 * ones ({@link Shell#quote(String)}); a runner never interprets or logs secrets.
 *
 * <p>Implementations are safe for use from several threads, but may serialise commands per host.
 */
public interface CommandRunner extends AutoCloseable {

    /**
     * Runs {@code command} and waits for it to exit.
     *
     * @param command the command line; never contains secrets inline
     * @param timeout how long to wait for exit before killing it and throwing a
     *                {@link HostAccessException.Kind#COMMAND_TIMEOUT}
     * @return exit status and output; a non-zero exit is a result, not an exception
     * @throws HostAccessException when the host cannot be reached, authenticated, or the command times out
     */
    CommandResult run(String command, Duration timeout) throws HostAccessException;

    /** Human-readable target for logs and errors, e.g. {@code ssh root@10.77.1.30:22 (region1/dbms)}. */
    String describe();

    /** The operating system family of the target; decides which command dialect callers must use. */
    default OsFamily os() {
        return OsFamily.LINUX;
    }

    @Override
    default void close() {
    }

    enum OsFamily { LINUX, WINDOWS }
}
