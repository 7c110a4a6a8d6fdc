package io.drctl.orchestrator.steps.dns;

import io.drctl.dns.DnsException;
import io.drctl.dns.DnsNames;
import io.drctl.dns.DnsServer;
import io.drctl.dns.DnsVerifier;
import io.drctl.dns.DnsZone;
import io.drctl.dns.RecordState;
import io.drctl.dns.ZoneProbe;
import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.Check;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.steps.support.DeclaredRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code records-in-one-region}: at every authoritative server that answers, each record's A RRset
 * is exactly the address of its host in one region, and all the listed records point at the same
 * region (no split brain between, say, {@code cfgmaster} and {@code configdb}). Queries are plain
 * (unsigned, non-recursive) A queries, read through {@link DnsVerifier#probe} as {@code dns.update} probes.
 *
 * <p>The check is per server: right after a flip, a secondary that has not yet transferred the
 * change still answers the old region consistently, which is propagation (what {@code dns.verify}
 * waits out), not a split; the detail names such servers. A server that does not answer is skipped
 * and named (it sends nobody anywhere); when no server answers the rule cannot be shown: violated.
 *
 * <pre>
 * - { id: one-region, type: records-in-one-region, records: [cfgmaster, cfgmaster-bk, configdb] }
 * </pre>
 */
public final class RecordsInOneRegionRule extends DeclaredRule {

    public RecordsInOneRegionRule() {
        super("records-in-one-region",
                "at every authoritative server the records all point at one region's hosts",
                List.of(FieldSpec.required("records", FieldKind.RECORDS, "records that must all point at the same region")));
    }

    @Override
    public Set<Effect> reads() {
        return Set.of(Effect.DNS_RECORDS);
    }

    @Override
    public void validate(RuleSpec rule, StepValidation v) {
        if (v.inventory().dns().isEmpty()) {
            v.problem("records", "the inventory has no `dns` section (zone and servers) to check the records at");
        }
        for (DnsRecord r : rule.fields().records("records")) {
            for (Map.Entry<String, String> e : r.byRegion().entrySet()) {
                if (v.inventory().host(e.getKey() + "/" + e.getValue()).isEmpty()) {
                    v.problem("records", "record `" + r.name() + "` names host " + e.getKey() + "/" + e.getValue()
                            + ", which the inventory lacks");
                }
            }
        }
    }

    @Override
    public Check evaluate(RuleSpec rule, RuleContext ctx) {
        Inventory inv = ctx.inventory();
        DnsZone zone = DnsAccess.dnsZone(inv);
        List<DnsServer> servers = zone.servers();
        List<DnsRecord> records = rule.fields().records("records");
        Map<String, DnsRecord> byFqdn = new LinkedHashMap<>();
        for (DnsRecord r : records) {
            byFqdn.put(DnsNames.fqdn(r.name(), inv.dns().orElseThrow().zone()), r);
        }
        ZoneProbe probe = DnsVerifier.probe(DnsAccess.client(Optional.empty(), ctx.clock(), ctx.lost()), zone,
                new ArrayList<>(byFqdn.keySet()));
        List<String> problems = new ArrayList<>();
        Map<String, String> regionByServer = new LinkedHashMap<>();
        for (DnsServer s : servers) {
            if (probe.failed().containsKey(s)) {
                continue;
            }
            Map<String, String> regionOf = new LinkedHashMap<>(); // record name -> region
            for (Map.Entry<String, DnsRecord> e : byFqdn.entrySet()) {
                Set<String> addrs = probe.at(s, e.getKey()).map(RecordState::addresses).orElse(Set.of());
                Optional<String> region = regionFor(e.getValue(), addrs, inv);
                if (region.isEmpty()) {
                    problems.add("at " + s.name() + ": " + e.getValue().name() + " A " + show(addrs)
                            + " is not exactly one region's address (expected one of " + expected(e.getValue(), inv) + ")");
                } else {
                    regionOf.put(e.getValue().name(), region.get());
                }
            }
            Set<String> regions = new LinkedHashSet<>(regionOf.values());
            if (regions.size() > 1) {
                problems.add("at " + s.name() + ": split between regions: " + describe(regionOf) + " (expected all in one region)");
            } else if (regions.size() == 1 && regionOf.size() == records.size()) {
                regionByServer.put(s.name(), regions.iterator().next());
            }
        }
        String failed = probe.failed().isEmpty() ? "" : "; no answer from " + String.join(", ", servers.stream()
                .filter(probe.failed()::containsKey).map(s -> s.name() + " (" + reason(probe.failed().get(s)) + ")").toList());
        if (!problems.isEmpty()) {
            return Check.violated(String.join("; ", problems) + failed);
        }
        if (regionByServer.isEmpty()) {
            return Check.violated("no authoritative server answered for " + String.join(", ", names(records)) + failed);
        }
        Set<String> all = new LinkedHashSet<>(regionByServer.values());
        String where = all.size() == 1
                ? String.join(", ", names(records)) + " -> " + all.iterator().next() + " at " + String.join(", ", regionByServer.keySet())
                : String.join(", ", names(records)) + " each in one region per server, servers still converging: " + regionByServer;
        return Check.ok(where + failed);
    }

    private static String reason(DnsException e) {
        return e.kind().name();
    }

    private static List<String> names(List<DnsRecord> records) {
        return records.stream().map(DnsRecord::name).toList();
    }

    /** The region whose host address is exactly {@code addrs}. */
    private static Optional<String> regionFor(DnsRecord r, Set<String> addrs, Inventory inv) {
        if (addrs.size() != 1) {
            return Optional.empty();
        }
        String a = addrs.iterator().next();
        return r.byRegion().entrySet().stream()
                .filter(e -> inv.host(e.getKey() + "/" + e.getValue()).map(Host::address).filter(a::equals).isPresent())
                .map(Map.Entry::getKey).findFirst();
    }

    private static String expected(DnsRecord r, Inventory inv) {
        List<String> out = new ArrayList<>();
        r.byRegion().forEach((region, host) -> out.add(region + " " + inv.host(region + "/" + host).map(Host::address).orElse("?")));
        return String.join(", ", out);
    }

    private static String show(Set<String> addrs) {
        return addrs.isEmpty() ? "(none)" : String.join(",", new TreeSet<>(addrs));
    }

    private static String describe(Map<String, String> regionOf) {
        List<String> out = new ArrayList<>();
        regionOf.forEach((name, region) -> out.add(name + " -> " + region));
        return String.join(", ", out);
    }
}
