package io.drctl.dns;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The A RRsets of some names at every authoritative server of a zone (read-only: for plan and readiness).
 *
 * @param states  one entry per (server, name) that answered
 * @param failed  servers that could not be asked, with why
 */
public record ZoneProbe(List<RecordState> states, Map<DnsServer, DnsException> failed) {
    public ZoneProbe {
        states = List.copyOf(states);
        failed = Map.copyOf(failed);
    }

    /** What {@code server} serves for {@code name}. */
    public Optional<RecordState> at(DnsServer server, String name) {
        String n = DnsNames.fqdn(name);
        return states.stream().filter(s -> s.server().equals(server) && s.name().equals(n)).findFirst();
    }

    /** Whether every server answered and all serve the same RRset for every name. */
    public boolean consistent() {
        if (!failed.isEmpty()) {
            return false;
        }
        return states.stream().collect(java.util.stream.Collectors.groupingBy(RecordState::name,
                java.util.stream.Collectors.mapping(RecordState::addresses, java.util.stream.Collectors.toSet())))
                .values().stream().allMatch(v -> v.size() == 1);
    }
}
