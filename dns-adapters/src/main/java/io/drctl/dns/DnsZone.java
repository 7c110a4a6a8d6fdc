package io.drctl.dns;

import java.util.List;
import java.util.Objects;

/**
 * A zone and the servers authoritative for it.
 *
 * @param name    the zone apex, e.g. {@code cc.lab.test.}
 * @param primary the server that accepts dynamic updates (the SOA MNAME's address)
 * @param servers every authoritative server to probe and verify (the primary included); when empty, the primary alone
 */
public record DnsZone(String name, DnsServer primary, List<DnsServer> servers) {
    public DnsZone {
        name = DnsNames.fqdn(name);
        Objects.requireNonNull(primary, "primary");
        servers = servers == null || servers.isEmpty() ? List.of(primary) : List.copyOf(servers);
    }

    /** Whether {@code fqdn} is the apex or below it. */
    public boolean contains(String fqdn) {
        String f = DnsNames.fqdn(fqdn);
        return f.equals(name) || f.endsWith("." + name);
    }

    public org.xbill.DNS.Name dnsName() {
        return DnsNames.name(name);
    }
}
