package io.drctl.dbms;

import io.drctl.host.Values;
import java.util.Objects;

/**
 * The server a {@link CommandDbms} drives, and the values its templates' placeholders stand for.
 *
 * @param instance name used in messages and results (e.g. the inventory host {@code region2/dbms}); never on a
 *                 command line
 * @param host     {@code {host}}: the name or IP the DBMS client connects to ({@link Values#address})
 * @param port     {@code {port}}: the DBMS port ({@link Values#port})
 * @param address  {@code {address}}: the DBMS host's own address from the inventory ({@link Values#address})
 */
public record CommandDbmsTarget(String instance, String host, int port, String address) {
    public CommandDbmsTarget {
        Objects.requireNonNull(instance, "instance");
        if (instance.isBlank()) {
            throw new IllegalArgumentException("the DBMS instance name is blank");
        }
        Values.address(Objects.requireNonNull(host, "host"));
        Values.port(port);
        Values.address(Objects.requireNonNull(address, "address"));
    }

    /** {@code host:port}, for messages. */
    public String endpoint() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
