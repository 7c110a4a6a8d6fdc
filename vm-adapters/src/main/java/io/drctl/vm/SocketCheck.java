package io.drctl.vm;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks over one TCP connection ({@link ReadinessCheck#tcp}, {@link ReadinessCheck#ssh},
 * {@link ReadinessCheck#greeting}): connect, read what the check expects, say why not. The connection and
 * each read are bounded by the check's timeout.
 */
final class SocketCheck implements ReadinessCheck {

    /** Reads what a check expects from a connection: empty when it came, else what came instead. */
    @FunctionalInterface
    interface Reply {
        Optional<String> read(InputStream in) throws IOException;
    }

    private final String description;
    private final String host;
    private final int port;
    private final Duration timeout;
    private final String silence;
    private final Reply reply;

    /**
     * @param what    the check's kind, e.g. {@code ssh}: described as {@code ssh 10.77.2.10:22}
     * @param silence what a timeout is called, e.g. {@code no SSH banner} ("... within 2000 ms")
     */
    private SocketCheck(String what, String host, int port, Duration timeout, String silence, Reply reply) {
        this.description = what + " " + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        this.host = host;
        this.port = port;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.silence = silence;
        this.reply = reply;
    }

    static SocketCheck tcp(String host, int port, Duration connectTimeout) {
        return new SocketCheck("tcp", host, port, connectTimeout, "no answer", in -> Optional.empty());
    }

    static SocketCheck ssh(String host, int port, Duration connectTimeout) {
        return new SocketCheck("ssh", host, port, connectTimeout, "no SSH banner", SocketCheck::sshBanner);
    }

    static SocketCheck greeting(String host, int port, Pattern expected, Duration timeout) {
        Objects.requireNonNull(expected, "expected");
        return new SocketCheck("greeting /" + expected.pattern() + "/ at", host, port, timeout, "no greeting",
                in -> greeting(in, expected));
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Optional<String> check() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            return reply.read(s.getInputStream());
        } catch (SocketTimeoutException e) {
            return Optional.of(silence + " within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return Optional.of(reason(e));
        }
    }

    @Override
    public String toString() {
        return description;
    }

    private static Optional<String> sshBanner(InputStream in) throws IOException {
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
    }

    /** The server's first line (at most 512 bytes) matches {@code expected}. */
    private static Optional<String> greeting(InputStream in, Pattern expected) throws IOException {
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
    }

    private static String reason(IOException e) {
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
