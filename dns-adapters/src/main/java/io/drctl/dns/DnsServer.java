package io.drctl.dns;

import io.drctl.host.Values;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * One authoritative DNS server.
 *
 * @param name    a label for messages, e.g. {@code ns1}
 * @param address its IP address (a literal: DNS adapters never resolve a server's name through DNS)
 * @param port    its DNS port (53 in production; lab and tests use others)
 */
public record DnsServer(String name, String address, int port) {

    public DnsServer {
        Objects.requireNonNull(name, "name");
        Values.name(name);
        Values.ip(address);
        Values.port(port);
    }

    /** A server on port 53. */
    public static DnsServer of(String name, String address) {
        return new DnsServer(name, address, 53);
    }

    /** The socket address to send to. */
    public InetSocketAddress socketAddress() {
        try {
            return new InetSocketAddress(InetAddress.getByName(address), port); // an IP literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalStateException("validated IP literal did not parse: " + address, e);
        }
    }

    /** {@code ns1 (192.0.2.53:53)}. */
    @Override
    public String toString() {
        return name + " (" + address + ":" + port + ")";
    }
}
