package io.drctl.vm;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Values;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One condition a started guest must meet before it counts as up. Checks are cheap, read-only and safe to
 * repeat; {@link GuestWait} polls them.
 */
public interface ReadinessCheck {

    /** What is checked, e.g. {@code tcp 10.77.2.10:2020}. */
    String describe();

    /**
     * Checks once.
     *
     * @return empty when the condition holds, else why not (e.g. {@code connection refused})
     */
    Optional<String> check();

    /** The port accepts a TCP connection from this machine. */
    static ReadinessCheck tcp(String host, int port, Duration connectTimeout) {
        return SocketCheck.tcp(Values.address(host), Values.port(port), connectTimeout);
    }

    /** An SSH server answers on the port: the connection is accepted and the server sends its {@code SSH-} banner. */
    static ReadinessCheck ssh(String host, int port, Duration connectTimeout) {
        return SocketCheck.ssh(Values.address(host), Values.port(port), connectTimeout);
    }

    /**
     * The port accepts a connection and the server's first line (sent unprompted, up to 512 bytes) matches
     * {@code expected} ({@link java.util.regex.Matcher#find()}); e.g. a Configuration Server stand-in that greets
     * with {@code CS OK db=10.77.1.30}.
     */
    static ReadinessCheck greeting(String host, int port, java.util.regex.Pattern expected, Duration timeout) {
        return SocketCheck.greeting(Values.address(host), Values.port(port), expected, timeout);
    }

    /**
     * A command exits 0, e.g. a service probe run over SSH on the guest. The command must be built from
     * validated or quoted values ({@link Values}, {@link io.drctl.host.Shell#quote(String)}).
     */
    static ReadinessCheck command(CommandRunner runner, String command, Duration timeout) {
        return new Command(runner, command, timeout);
    }

    /** See {@link #command(CommandRunner, String, Duration)}. */
    record Command(CommandRunner runner, String command, Duration timeout) implements ReadinessCheck {
        public Command {
            Objects.requireNonNull(runner, "runner");
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(timeout, "timeout");
        }

        @Override
        public String describe() {
            return "command on " + runner.describe();
        }

        @Override
        public Optional<String> check() {
            try {
                CommandResult r = runner.run(command, timeout);
                return r.succeeded() ? Optional.empty() : Optional.of("exit " + r.exitCode() + ": " + r.lastLine());
            } catch (HostAccessException e) {
                return Optional.of(e.kind() + ": " + e.getMessage());
            }
        }
    }
}
