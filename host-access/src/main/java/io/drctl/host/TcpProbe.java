package io.drctl.host;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * One TCP connect attempt from this machine: does {@code host:port} accept a connection within a
 * timeout? The connection is closed at once; nothing is sent. Read-only, so safe for probes,
 * readiness checks and {@code wait.tcp}.
 */
public final class TcpProbe {

    private TcpProbe() {
    }

    /** What one connect attempt saw. */
    public enum Result {
        /** The connection was accepted. */
        OPEN,
        /** The host answered with a reset (nothing listens on the port, or a firewall REJECTs). */
        REFUSED,
        /** No answer within the timeout (host down, or a firewall DROPs). */
        TIMEOUT,
        /** No route to the host, network unreachable, or the name does not resolve. */
        UNREACHABLE;

        public boolean isOpen() {
            return this == OPEN;
        }
    }

    /**
     * Tries to connect once.
     *
     * @param host    IP literal or host name (validated by {@link Values#address(String)})
     * @param port    TCP port, 1..65535
     * @param timeout how long to wait for the handshake; must be positive
     * @return the outcome; never throws for network failures
     * @throws IllegalArgumentException when host, port or timeout are invalid
     */
    public static Result probe(String host, int port, Duration timeout) {
        Values.address(host);
        Values.port(port);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        int millis = (int) Math.min(Math.max(1, timeout.toMillis()), Integer.MAX_VALUE);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            return Result.UNREACHABLE;
        }
        try (Socket socket = new Socket()) {
            socket.connect(address, millis);
            return Result.OPEN;
        } catch (IOException e) {
            return classify(e);
        }
    }

    /** Maps a failed connect to a result by exception type (JDK: ECONNREFUSED is a ConnectException). */
    static Result classify(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return Result.TIMEOUT;
        }
        if (e instanceof ConnectException) {
            // also the OS's own ETIMEDOUT, which only fires for timeouts longer than the kernel's (~2 min)
            return Result.REFUSED;
        }
        // NoRouteToHostException (EHOSTUNREACH), UnknownHostException, plain SocketException (ENETUNREACH, ...)
        return Result.UNREACHABLE;
    }
}
