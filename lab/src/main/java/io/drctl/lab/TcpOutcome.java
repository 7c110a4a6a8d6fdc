package io.drctl.lab;

/** What one TCP connection attempt from a lab host saw (printed by {@code lab/lib/tcp-probe}). */
public enum TcpOutcome {
    /** The handshake completed. */
    ACCEPTED,
    /** An RST came back: closed port or an iptables REJECT with tcp-reset. */
    REFUSED,
    /** Nothing answered within the timeout (host down, packets dropped). */
    TIMEOUT,
    /** No route / host unreachable reported by the kernel. */
    UNREACHABLE;

    static TcpOutcome parse(String word) {
        return switch (word.strip()) {
            case "accepted" -> ACCEPTED;
            case "refused" -> REFUSED;
            case "timeout" -> TIMEOUT;
            case "unreachable" -> UNREACHABLE;
            default -> throw new LabException("tcp-probe printed '" + word.strip()
                    + "', expected accepted|refused|timeout|unreachable");
        };
    }
}
