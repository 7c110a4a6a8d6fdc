package io.drctl.orchestrator.config.load;

import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Dns;
import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Provider;
import io.drctl.orchestrator.config.model.ReadinessSettings;
import io.drctl.orchestrator.config.model.Region;
import io.drctl.orchestrator.config.model.SshSettings;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.config.yaml.YNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads an inventory strictly: unknown keys, bad addresses/CIDRs/ports/names, dangling references
 * and inline secrets are all collected as problems. The returned inventory is best-effort (invalid
 * parts dropped) so runbook validation can still report its own problems in the same pass.
 */
public final class InventoryLoader {
    private static final Document<Inventory> DOCUMENT = new Document<>("the inventory", InventoryLoader::bind);

    private InventoryLoader() {
    }

    public static Optional<Inventory> load(Path file, Problems problems) {
        return DOCUMENT.load(file, problems);
    }

    public static Optional<Inventory> parse(String file, String text, Problems problems) {
        return DOCUMENT.parse(file, text, problems);
    }

    private static Inventory bind(Fields f, Problems problems) {
        String name = f.string("name").orElse("inventory");
        f.string("description");
        var rto = f.duration("rto");
        SshSettings ssh = f.fields("ssh").map(s -> HostLoader.ssh(s, false)).orElse(SshSettings.empty());
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, String> greetings = new LinkedHashMap<>();
        f.fields("ports").ifPresent(pf -> ports(pf, ports, greetings, problems));
        Map<String, Provider> providers = new LinkedHashMap<>();
        f.fields("providers").ifPresent(pf -> {
            for (String key : pf.map().entries().keySet()) {
                pf.fields(key).flatMap(p -> ProviderLoader.provider(key, p)).ifPresent(p -> providers.put(key, p));
            }
        });
        Map<String, Region> regions = new LinkedHashMap<>();
        Optional<Fields> rf = f.fields("regions");
        if (rf.isEmpty()) {
            problems.add(f.location().child("regions"), "missing required key `regions`");
        }
        rf.ifPresent(r -> {
            for (String key : r.map().entries().keySet()) {
                if (!Values.isName(key)) {
                    problems.add(r.map().keyLocation(key), "region name '" + key + "' is not a safe name",
                            "letters, digits, '_', '.', '-'");
                } else if (key.equals(DnsRecord.GROUPS)) {
                    problems.add(r.map().keyLocation(key), "region name `" + key + "` is reserved: records use `"
                            + DnsRecord.GROUPS + ":` for their groups", "rename the region");
                }
                r.fields(key).map(rg -> HostLoader.region(key, rg, providers, problems)).ifPresent(rg -> regions.put(key, rg));
            }
        });
        for (String role : Region.ROLES) {
            List<String> claim = regions.values().stream().filter(g -> g.role().filter(role::equals).isPresent()).map(Region::name).toList();
            if (claim.size() > 1) {
                problems.add(rf.orElseThrow().map().keyLocation(claim.get(1)), "regions " + String.join(" and ", claim) + " both declare `role: " + role
                        + "`", "one region is the " + role + " region");
            }
        }
        Optional<Dns> dns = f.fields("dns").flatMap(d -> DnsLoader.dns(d, problems));
        Map<String, DnsRecord> records = f.fields("records").map(recs -> DnsLoader.records(recs, regions, problems))
                .orElseGet(LinkedHashMap::new);
        ReadinessSettings readiness = f.fields("readiness").map(r -> ReadinessLoader.readiness(r, problems))
                .orElseGet(ReadinessSettings::none);
        f.done();
        dns.ifPresent(z -> DnsLoader.checkRecordsInZone(z.zone(), DnsLoader.recordsAt(f), problems));
        Inventory inv = new Inventory(name, rto, ssh, dns, ports, greetings, regions, records, providers, readiness);
        // references that need the whole inventory
        rf.ifPresent(r -> HostLoader.checkJumpHosts(inv, r, problems));
        f.fields("ssh").ifPresent(s -> s.string("jumpHost").ifPresent(j -> {
            if (inv.host(j).isEmpty()) {
                problems.add(s.at("jumpHost"), "jumpHost `" + j + "` is not a host of this inventory", "write region/name");
            }
        }));
        return inv;
    }

    /** {@code ports:} name -> number, or the long form {@code { port: 2020, expect: "^CS OK" }} with what the service sends first. */
    private static void ports(Fields pf, Map<String, Integer> ports, Map<String, String> greetings, Problems problems) {
        for (String key : pf.map().entries().keySet()) {
            if (!Values.isName(key)) {
                problems.add(pf.map().keyLocation(key), "port name '" + key + "' is not a safe name");
            }
            Optional<Integer> number;
            if (pf.map().get(key) instanceof YNode.YMap) {
                // the long form: { port: 2020, expect: "^CS OK" } — a site fact about what the service sends first
                Optional<Fields> pm = pf.fields(key);
                number = pm.flatMap(m -> m.integer("port"));
                if (pm.isPresent() && !pm.get().has("port")) {
                    problems.add(pf.at(key), "port `" + key + "` needs `port:` (its number)", "e.g. " + key + ": { port: 2020, expect: \"^CS OK\" }");
                }
                pm.flatMap(m -> m.string("expect")).ifPresent(e -> {
                    try {
                        Pattern.compile(e);
                        greetings.put(key, e);
                    } catch (PatternSyntaxException x) {
                        problems.add(pm.get().at("expect"), "port `" + key + "`: `expect` is not a valid regular expression: "
                                + x.getDescription(), "the first line the service sends must match it, e.g. \"^CS OK\"");
                    }
                });
                pm.ifPresent(Fields::done);
            } else {
                number = pf.integer(key);
            }
            number.ifPresent(p -> {
                if (p < 1 || p > 65535) {
                    problems.add(pf.at(key), "port `" + key + "` is " + p + ", not a TCP port", "expected 1..65535");
                } else {
                    ports.put(key, p);
                }
            });
        }
    }
}
