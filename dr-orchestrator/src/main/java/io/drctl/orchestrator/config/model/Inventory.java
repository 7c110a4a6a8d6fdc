package io.drctl.orchestrator.config.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated inventory: regions and their hosts, DNS, named ports, records and VM providers.
 *
 * @param name      inventory name, for reports
 * @param rto       recovery-time objective, if set
 * @param ssh       SSH defaults every host inherits
 * @param dns       DNS settings, if the inventory manages records
 * @param ports     named ports (e.g. {@code dbms: 5432})
 * @param greetings port name → regex the first line that service sends must match (the long form
 *                  {@code configServer: { port: 2020, expect: "^CS OK" }}); a service without one is judged by TCP connect
 * @param regions   regions by name, in file order
 * @param records   DNS records by name (relative to the zone), in file order
 * @param providers VM power providers by name
 * @param readiness the readiness daemons' store and webhook ({@code readiness:}), both optional
 */
public record Inventory(String name, Optional<Duration> rto, SshSettings ssh, Optional<Dns> dns,
                        Map<String, Integer> ports, Map<String, String> greetings, Map<String, Region> regions, Map<String, DnsRecord> records,
                        Map<String, Provider> providers, ReadinessSettings readiness) {
    public Inventory {
        ports = Map.copyOf(ports);
        greetings = Map.copyOf(greetings);
        regions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(regions));
        records = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(records));
        providers = Map.copyOf(providers);
    }

    /**
     * The region of {@code role} ({@code primary} or {@code dr}): the one that declares it; when none does, the
     * first region (primary) or the first other than the primary (dr), in file order. Empty when there is none.
     */
    public Optional<String> regionOf(String role) {
        Optional<String> declared = regions.values().stream().filter(r -> r.role().filter(role::equals).isPresent())
                .map(Region::name).findFirst();
        if (declared.isPresent() || !Region.ROLES.contains(role)) {
            return declared;
        }
        Optional<String> primary = role.equals("primary") ? Optional.empty() : regionOf("primary");
        return regions.values().stream()
                .filter(r -> r.role().isEmpty())
                .map(Region::name)
                .filter(n -> primary.map(p -> !p.equals(n)).orElse(true))
                .findFirst();
    }

    /** The records of {@code group}, in file order. */
    public List<DnsRecord> recordGroup(String group) {
        return records.values().stream().filter(r -> r.groups().contains(group)).toList();
    }

    /** Every group some record declares, in first-seen order. */
    public java.util.Set<String> recordGroups() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        records.values().forEach(r -> out.addAll(r.groups()));
        return out;
    }

    /** Every host in region order, then file order. */
    public List<Host> hosts() {
        List<Host> all = new ArrayList<>();
        regions.values().forEach(r -> all.addAll(r.hosts().values()));
        return all;
    }

    /** A host by {@code region/name}, or by bare name when unique. */
    public Optional<Host> host(String ref) {
        int slash = ref.indexOf('/');
        if (slash > 0) {
            Region r = regions.get(ref.substring(0, slash));
            return r == null ? Optional.empty() : Optional.ofNullable(r.hosts().get(ref.substring(slash + 1)));
        }
        List<Host> matches = hosts().stream().filter(h -> h.name().equals(ref)).toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    /** The SSH settings that apply to {@code host}: its overrides over the inventory defaults. */
    public SshSettings sshFor(Host host) {
        return host.ssh().map(o -> o.over(ssh)).orElse(ssh);
    }
}
