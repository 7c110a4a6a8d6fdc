package io.drctl.orchestrator.steps.dns;

import io.drctl.dns.DnsClient;
import io.drctl.dns.DnsException;
import io.drctl.dns.DnsNames;
import io.drctl.dns.DnsServer;
import io.drctl.dns.DnsUpdater;
import io.drctl.dns.DnsZone;
import io.drctl.dns.RecordFlip;
import io.drctl.dns.RecordState;
import io.drctl.dns.ZoneProbe;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the record step types ({@code dns.update}, {@code dns.verify}, {@code dns.ttl}, {@code dns.flush-cache})
 * share: the {@code records}/{@code to} fields and their checks, the names and addresses of records in a region,
 * the clients and the text of what a server answers.
 */
abstract class DnsSteps extends DeclaredStepType {
    DnsSteps(String name, Targets targets, String summary, List<FieldSpec> fields) {
        super(name, targets, summary, fields);
    }

    /** The {@code records} (and {@code to}, {@code from}) checked against the inventory. */
    @Override
    public void validate(StepSpec step, StepValidation v) {
        validateRecords(step, v);
    }

    static FieldSpec records() {
        return FieldSpec.required("records", FieldKind.RECORDS, "records (names from the inventory's `records`)");
    }

    static FieldSpec to() {
        return FieldSpec.required("to", FieldKind.REGION, "region whose hosts the records must point at");
    }

    static void validateRecords(StepSpec step, StepValidation v) {
        Inventory inv = v.inventory();
        if (inv.dns().isEmpty()) {
            v.problem("records", "the inventory has no `dns` section", "add dns: {zone, servers, tsig, ttl}");
            return;
        }
        String to = step.fields().optString("to").orElse(null);
        if (to != null) {
            checkAddresses(step, v, to, "A records need one", true);
        }
        if (step.fields().has("from")) {
            String from = step.fields().string("from");
            if (from.equals(to)) {
                v.problem("from", "`from` and `to` are the same region (" + to + ")");
            }
        } else if (to != null && step.type().equals("dns.update") && inv.regions().size() != 2) {
            v.problem("to", "with " + inv.regions().size() + " regions, dns.update needs `from` (the region the records point at now)");
        }
    }

    /** Each record names a host of {@code region} whose address is an IPv4 address ({@code why}: what needs one). */
    static void checkAddresses(StepSpec step, StepValidation v, String region, String why, boolean hint) {
        for (DnsRecord r : step.fields().records("records")) {
            Optional<String> a = addressOf(r, region, v.inventory());
            if (a.isEmpty()) {
                String problem = "record `" + r.name() + "` names no existing host in region " + region;
                if (hint) {
                    v.problem("records", problem, "records: " + r.name() + ": { " + region + ": <host> }");
                } else {
                    v.problem("records", problem);
                }
            } else if (!Values.isIpv4(a.get())) {
                v.problem("records", "record `" + r.name() + "` in " + region + " points at '" + a.get()
                        + "', which is not an IPv4 address (" + why + ")");
            }
        }
    }

    static Optional<String> addressOf(DnsRecord r, String region, Inventory inv) {
        String hostName = r.byRegion().get(region);
        if (hostName == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(inv.regions().get(region)).map(reg -> reg.hosts().get(hostName)).map(Host::address);
    }

    static String fqdn(DnsRecord r, Inventory inv) {
        return DnsNames.fqdn(r.name(), inv.dns().orElseThrow().zone());
    }

    static String otherRegion(Inventory inv, String to) {
        List<String> others = inv.regions().keySet().stream().filter(r -> !r.equals(to)).toList();
        return others.size() == 1 ? others.get(0) : null;
    }

    static DnsClient client(ActionContext ctx, boolean signed) throws StepFailure {
        return DnsAccess.client(signed ? DnsAccess.tsigKey(ctx) : Optional.empty(), ctx.clock(), ctx.lost());
    }

    /** An updater of the inventory's zone, signing with its key. */
    static DnsUpdater updater(ActionContext ctx) throws StepFailure {
        return new DnsUpdater(DnsAccess.dnsZone(ctx.inventory()), client(ctx, true));
    }

    /** name -> wanted address for the records in region {@code to}. */
    static Map<String, Set<String>> wanted(List<DnsRecord> records, String to, Inventory inv) {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        for (DnsRecord r : records) {
            m.put(fqdn(r, inv), Set.of(addressOf(r, to, inv).orElseThrow()));
        }
        return m;
    }

    static String show(Map<String, Set<String>> m) {
        return m.entrySet().stream().map(e -> e.getKey() + " A " + String.join(",", e.getValue().stream().sorted().toList()))
                .collect(Collectors.joining(", "));
    }

    /**
     * Records as evidence what each authoritative server answered for each flipped record, with the zone's
     * SOA serial there (one SOA query per server: the serial says which zone version gave the answer).
     */
    static void recordAnswers(ActionContext ctx, DnsUpdater updater, ZoneProbe probe, List<RecordFlip> flips) {
        for (DnsServer server : updater.zone().servers()) {
            String serial;
            if (probe.failed().containsKey(server)) {
                serial = "SOA serial not asked (the server did not answer)"; // a silent server is not waited for twice
            } else {
                try {
                    serial = "SOA serial " + updater.serial(server);
                } catch (DnsException e) {
                    serial = "SOA serial unknown (" + e.getMessage() + ")";
                }
            }
            // the update goes to the primary; a secondary follows by zone transfer (dns.verify waits for every server)
            String role = server.equals(updater.zone().primary()) ? " (primary)" : " (secondary)";
            for (RecordFlip f : flips) {
                String target = server + role + " " + DnsNames.fqdn(f.name()) + " A";
                String expected = DnsNames.show(f.to());
                Optional<RecordState> s = probe.at(server, f.name());
                String seen = s.map(r -> DnsNames.show(r.addresses())).orElse(probe.failed().containsKey(server)
                        ? "no answer: " + probe.failed().get(server).getMessage() : "no A records");
                ctx.evidence(new Evidence("drctl", target, seen + s.flatMap(RecordState::ttl).map(t -> " ttl " + t.toSeconds())
                        .orElse("") + "; " + serial, expected, seen.equals(expected)));
            }
        }
    }

    static String currentAtPrimary(ZoneProbe probe, DnsZone zone, List<String> names) {
        List<String> parts = new ArrayList<>();
        for (String n : names) {
            parts.add(n + " A " + probe.at(zone.primary(), n).map(s -> String.join(",", s.addresses().stream().sorted().toList())
                    + s.ttl().map(t -> " ttl " + t.toSeconds()).orElse("")).orElse("?"));
        }
        if (!probe.failed().isEmpty()) {
            parts.add("unanswered: " + probe.failed().keySet());
        }
        return String.join(", ", parts);
    }

    /**
     * What {@code dns.verify} and {@code dns.flush-cache} wait for: the records' addresses in region {@code to},
     * given up on after {@code within}, asked again every {@code interval}; {@code shown} is {@code want} as text,
     * made once per step (each of a thousand hosts' actions describes itself with it).
     */
    record Wanted(Map<String, Set<String>> want, Duration within, Duration interval, String shown) {
        static List<FieldSpec> fields(String withinDoc, String intervalDoc) {
            return List.of(records(), to(),
                    FieldSpec.optional("within", FieldKind.DURATION, withinDoc),
                    FieldSpec.optional("interval", FieldKind.DURATION, intervalDoc));
        }

        static Wanted of(StepSpec step, Inventory inv, Duration within, Duration interval) {
            Map<String, Set<String>> want = wanted(step.fields().records("records"), step.fields().string("to"), inv);
            return new Wanted(want, step.fields().duration("within").orElse(within),
                    step.fields().duration("interval").orElse(interval), DnsSteps.show(want));
        }

        String show() {
            return shown;
        }
    }
}
