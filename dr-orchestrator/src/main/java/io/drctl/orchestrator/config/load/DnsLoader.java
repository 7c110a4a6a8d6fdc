package io.drctl.orchestrator.config.load;

import io.drctl.dns.DnsNames;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Dns;
import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Region;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.config.yaml.YNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the inventory's {@code dns:} section (zone, servers, TSIG key reference, TTL) and its {@code records:}. */
final class DnsLoader {
    /** Largest TTL drctl writes: a week (RFC 2181 allows more, but a DR flip wants short TTLs). */
    static final int MAX_TTL = 604800;

    private DnsLoader() {
    }

    /** The {@code records:} section: each record's host per region (and its groups), checked against the regions read. */
    static Map<String, DnsRecord> records(Fields recs, Map<String, Region> regions, Problems problems) {
        Map<String, DnsRecord> records = new LinkedHashMap<>();
        for (String key : recs.map().entries().keySet()) {
            if (!Values.isHostname(key)) {
                problems.add(recs.map().keyLocation(key), "record name '" + key + "' is not a valid DNS name");
            }
            recs.fields(key).ifPresent(rec -> {
                Map<String, String> byRegion = new LinkedHashMap<>();
                List<String> groups = rec.has(DnsRecord.GROUPS) ? rec.stringList(DnsRecord.GROUPS) : List.of();
                for (String g : groups) {
                    if (!Values.isName(g)) {
                        problems.add(rec.at(DnsRecord.GROUPS), "record `" + key + "`: group name '" + Fields.shorten(g)
                                + "' is not a safe name", "letters, digits, '_', '.', '-'");
                    }
                }
                for (String region : rec.map().entries().keySet()) {
                    if (region.equals(DnsRecord.GROUPS)) {
                        continue;
                    }
                    rec.string(region).ifPresent(hostName -> {
                        Region rg = regions.get(region);
                        if (rg == null) {
                            problems.add(rec.map().keyLocation(region), "record `" + key + "` names unknown region `" + region + "`",
                                    Hints.didYouMean(region, regions.keySet()));
                        } else if (!rg.hosts().containsKey(hostName)) {
                            problems.add(rec.at(region), "record `" + key + "` names host `" + hostName
                                    + "` that region `" + region + "` lacks", Hints.didYouMean(hostName, rg.hosts().keySet()));
                        } else {
                            byRegion.put(region, hostName);
                        }
                    });
                }
                records.put(key, new DnsRecord(key, byRegion, groups));
            });
        }
        return records;
    }

    /** Record names as written, with where their keys are. */
    static Map<String, Location> recordsAt(Fields f) {
        Map<String, Location> out = new LinkedHashMap<>();
        YNode recs = f.map().get("records");
        if (recs instanceof YNode.YMap m) {
            m.entries().keySet().forEach(k -> out.put(k, m.keyLocation(k)));
        }
        return out;
    }

    /**
     * A record is relative to the zone ({@code cfgmaster}) or absolute inside it ({@code cfgmaster.cc.example.com.});
     * drctl only ever updates names of its zone, and the full name must fit DNS's 253 characters.
     */
    static void checkRecordsInZone(String zone, Map<String, Location> records, Problems problems) {
        String z = zone.endsWith(".") ? zone : zone + ".";
        records.forEach((name, at) -> {
            if (!Values.isHostname(name)) {
                return; // reported already
            }
            String fqdn = DnsNames.fqdn(name, z);
            if (name.endsWith(".") && !(fqdn.equalsIgnoreCase(z) || fqdn.toLowerCase(java.util.Locale.ROOT)
                    .endsWith("." + z.toLowerCase(java.util.Locale.ROOT)))) {
                problems.add(at, "record `" + name + "` is outside the zone " + z, "write it relative to the zone, e.g. "
                        + name.substring(0, name.indexOf('.') > 0 ? name.indexOf('.') : name.length()));
            } else if (fqdn.length() > 254 || !Values.isHostname(fqdn)) {
                problems.add(at, "record `" + Fields.shorten(name) + "` with the zone is not a valid DNS name (" + fqdn.length()
                        + " characters, labels at most 63)");
            }
        });
    }

    static Optional<Dns> dns(Fields d, Problems problems) {
        Optional<String> zone = d.requiredString("zone");
        zone.ifPresent(z -> {
            if (!Values.isHostname(z) || !z.endsWith(".")) {
                problems.add(d.at("zone"), "zone '" + z + "' must be a DNS name with a trailing dot", "e.g. cc.example.com.");
            }
        });
        List<Dns.Server> servers = new ArrayList<>();
        Optional<YNode> sn = d.node("servers");
        if (sn.isEmpty()) {
            problems.add(d.location().child("servers"), "missing required key `servers`");
        } else if (sn.get() instanceof YNode.YList list) {
            if (list.items().isEmpty()) {
                problems.add(list.location(), "`servers` is empty", "list every authoritative server: - { name: ns1, address: 192.0.2.53 }");
            }
            for (YNode item : list.items()) {
                Fields.of(item, "a DNS server", problems).ifPresent(s -> {
                    Optional<String> name = s.requiredString("name");
                    Optional<String> address = s.requiredString("address");
                    Optional<Integer> port = s.integer("port");
                    s.done();
                    boolean ok = name.isPresent() && address.isPresent();
                    if (name.isPresent() && !Values.isName(name.get())) {
                        problems.add(s.at("name"), "DNS server name '" + Fields.shorten(name.get()) + "' is not a safe name",
                                "letters, digits, '_', '.', '-', e.g. ns1");
                        ok = false;
                    }
                    if (address.isPresent() && !Values.isIp(address.get())) {
                        problems.add(s.at("address"), "DNS server address is not an IP address: '"
                                + Fields.shorten(address.get()) + "'", "expected e.g. 192.0.2.53 (updates and queries go to an address)");
                        ok = false;
                    }
                    int p = port.orElse(53);
                    if (p < 1 || p > 65535) {
                        problems.add(s.at("port"), "DNS server port " + p + " is not a port", "expected 1..65535");
                        ok = false;
                    }
                    if (ok && servers.stream().anyMatch(x -> x.name().equals(name.get()))) {
                        problems.add(s.at("name"), "DNS server name `" + name.get() + "` is listed twice", "each server needs its own name");
                        ok = false;
                    }
                    if (ok) {
                        servers.add(new Dns.Server(name.get(), address.get(), p));
                    }
                });
            }
        } else {
            problems.add(sn.get().location(), "`servers` must be a list, found " + sn.get().kind());
        }
        Optional<Dns.TsigRef> tsig = d.fields("tsig").flatMap(t -> {
            Optional<String> keyFile = t.string("keyFile");
            Optional<String> keyEnv = t.string("keyEnv");
            t.done();
            Checks.checkPath(t, "keyFile", keyFile);
            keyEnv.ifPresent(e -> Checks.checkEnvName(t, "keyEnv", e));
            if (keyFile.isPresent() == keyEnv.isPresent()) {
                problems.add(t.location(), "tsig needs exactly one of `keyFile`, `keyEnv`");
                return Optional.empty();
            }
            return Optional.of(new Dns.TsigRef(keyFile, keyEnv));
        });
        int ttl = d.integer("ttl").orElse(60);
        if (ttl < 0 || ttl > MAX_TTL) {
            problems.add(d.at("ttl"), "ttl must be 0.." + MAX_TTL + " seconds, got " + ttl);
        }
        d.done();
        return zone.map(z -> new Dns(z, servers, tsig, ttl));
    }
}
