package io.drctl.dns;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What one server serves for one name's A RRset.
 *
 * @param server    the server asked
 * @param name      the FQDN
 * @param addresses the A RRset (empty = no A records / NXDOMAIN)
 * @param ttl       the RRset's TTL, when there are records
 */
public record RecordState(DnsServer server, String name, Set<String> addresses, Optional<Duration> ttl) {
    public RecordState {
        name = DnsNames.fqdn(name);
        addresses = DnsNames.sorted(addresses);
    }

    @Override
    public String toString() {
        return name + " A " + DnsNames.show(addresses) + ttl.map(t -> " ttl " + t.toSeconds()).orElse("") + " at " + server;
    }
}
