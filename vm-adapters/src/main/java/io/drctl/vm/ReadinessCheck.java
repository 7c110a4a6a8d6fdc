package io.drctl.vm;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Values;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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
        return new Tcp(Values.address(host), Values.port(port), connectTimeout);
    }

    /** An SSH server answers on the port: the connection is accepted and the server sends its {@code SSH-} banner. */
    static ReadinessCheck ssh(String host, int port, Duration connectTimeout) {
        return new SshBanner(Values.address(host), Values.port(port), connectTimeout);
    }

    /**
     * The port accepts a connection and the server's first line (sent unprompted, up to 512 bytes) matches
     * {@code expected} ({@link java.util.regex.Matcher#find()}); e.g. a Configuration Server stand-in that greets
     * with {@code CS OK db=10.77.1.30}.
     */
    static ReadinessCheck greeting(String host, int port, java.util.regex.Pattern expected, Duration timeout) {
        return new Greeting(Values.address(host), Values.port(port), expected, timeout);
    }

    /**
     * A command exits 0, e.g. a service probe run over SSH on the guest. The command must be built from
     * validated or quoted values ({@link Values}, {@link io.drctl.host.Shell#quote(String)}).
     */
    static ReadinessCheck command(CommandRunner runner, String command, Duration timeout) {
        return new Command(runner, command, timeout);
    }

    /** See {@link #tcp(String, int, Duration)}. */
    record Tcp(String host, int port, Duration connectTimeout) implements ReadinessCheck {
        public Tcp {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
        }

        @Override
        public String describe() {
            return "tcp " + hostPort(host, port);
        }

        @Override
        public Optional<String> check() {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
                return Optional.empty();
            } catch (IOException e) {
                return Optional.of(reason(e, connectTimeout));
            }
        }
    }

    /** See {@link #ssh(String, int, Duration)}. */
    record SshBanner(String host, int port, Duration connectTimeout) implements ReadinessCheck {
        public SshBanner {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
        }

        @Override
        public String describe() {
            return "ssh " + hostPort(host, port);
        }

        @Override
        public Optional<String> check() {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
                s.setSoTimeout((int) connectTimeout.toMillis());
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4];
                int n = 0;
                while (n < 4) {
                    int r = in.read(buf, n, 4 - n);
                    if (r < 0) {
                        return Optional.of("connection closed before an SSH banner");
                    }
                    n += r;
                }
                String head = new String(buf, StandardCharsets.US_ASCII);
                return head.equals("SSH-") ? Optional.empty()
                        : Optional.of("port open but no SSH banner (got '" + head.strip() + "')");
            } catch (SocketTimeoutException e) {
                return Optional.of("no SSH banner within " + connectTimeout.toMillis() + " ms");
            } catch (IOException e) {
                return Optional.of(reason(e, connectTimeout));
            }
        }
    }

    /** See {@link #greeting(String, int, java.util.regex.Pattern, Duration)}. */
    record Greeting(String host, int port, java.util.regex.Pattern expected, Duration timeout) implements ReadinessCheck {
        public Greeting {
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(timeout, "timeout");
        }

        @Override
        public String describe() {
            return "greeting /" + expected.pattern() + "/ at " + hostPort(host, port);
        }

        @Override
        public Optional<String> check() {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                s.setSoTimeout((int) timeout.toMillis());
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                int c;
                while (line.length() < 512 && (c = in.read()) >= 0 && c != '\n') {
                    line.append((char) c);
                }
                String got = line.toString().strip();
                if (expected.matcher(got).find()) {
                    return Optional.empty();
                }
                return Optional.of(got.isEmpty() ? "connection closed without a greeting"
                        : "greeting '" + (got.length() > 80 ? got.substring(0, 80) + "..." : got) + "' does not match");
            } catch (SocketTimeoutException e) {
                return Optional.of("no greeting within " + timeout.toMillis() + " ms");
            } catch (IOException e) {
                return Optional.of(reason(e, timeout));
            }
        }
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

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String reason(IOException e, Duration connectTimeout) {
        if (e instanceof SocketTimeoutException) {
            return "no answer within " + connectTimeout.toMillis() + " ms";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
