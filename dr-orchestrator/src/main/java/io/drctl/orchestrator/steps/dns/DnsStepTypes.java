package io.drctl.orchestrator.steps.dns;

import io.drctl.dns.ChangeThreshold;
import io.drctl.dns.DnsClient;
import io.drctl.dns.DnsException;
import io.drctl.dns.DnsUpdater;
import io.drctl.dns.DnsVerifier;
import io.drctl.dns.DnsZone;
import io.drctl.dns.FlipRequest;
import io.drctl.dns.RecordFlip;
import io.drctl.dns.RecordState;
import io.drctl.dns.UpdateOutcome;
import io.drctl.dns.ZoneProbe;
import io.drctl.dns.cache.CacheFlushException;
import io.drctl.dns.cache.CacheHost;
import io.drctl.dns.cache.FlushResult;
import io.drctl.dns.cache.ResolverCacheFlusher;
import io.drctl.dns.cache.ResolverKind;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepType;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.spi.Verified;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The DNS step types over {@code dns-adapters}:
 * <ul>
 *   <li>{@code dns.update}: flip the records to the hosts of region {@code to}, all in one TSIG-signed
 *       RFC 2136 UPDATE whose prerequisites are the whole expected old RRsets (compare-and-swap);</li>
 *   <li>{@code dns.verify}: every authoritative server answers exactly the new RRsets;</li>
 *   <li>{@code dns.ttl}: set the records' TTL (lower it ahead of a planned failover; revert restores
 *       the inventory's {@code dns.ttl});</li>
 *   <li>{@code dns.flush-cache}: flush the resolver caches on the target hosts and prove there that the
 *       names resolve to the new addresses.</li>
 * </ul>
 */
public final class DnsStepTypes {
    private DnsStepTypes() {
    }

    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

    // ---------------------------------------------------------------- shared

    static FieldSpec records() {
        return FieldSpec.required("records", FieldKind.RECORDS, "records (names from the inventory's `records`)");
    }

    static FieldSpec to() {
        return FieldSpec.required("to", FieldKind.REGION, "region whose hosts the records must point at");
    }

    static void validateRecords(StepSpec step, StepValidation v, boolean needsDns) {
        Inventory inv = v.inventory();
        if (needsDns && inv.dns().isEmpty()) {
            v.problem("records", "the inventory has no `dns` section", "add dns: {zone, servers, tsig, ttl}");
            return;
        }
        String to = step.fields().optString("to").orElse(null);
        for (DnsRecord r : step.fields().records("records")) {
            if (to != null) {
                addressOf(r, to, inv).ifPresentOrElse(a -> {
                    if (!Values.isIpv4(a)) {
                        v.problem("records", "record `" + r.name() + "` in " + to + " points at '" + a
                                + "', which is not an IPv4 address (A records need one)");
                    }
                }, () -> v.problem("records", "record `" + r.name() + "` names no existing host in region " + to,
                        "records: " + r.name() + ": { " + to + ": <host> }"));
            }
        }
        if (needsDns && step.fields().has("from")) {
            String from = step.fields().string("from");
            if (from.equals(to)) {
                v.problem("from", "`from` and `to` are the same region (" + to + ")");
            }
        } else if (needsDns && to != null && step.type().equals("dns.update") && inv.regions().size() != 2) {
            v.problem("to", "with " + inv.regions().size() + " regions, dns.update needs `from` (the region the records point at now)");
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
        String zone = inv.dns().orElseThrow().zone();
        return r.name().endsWith(".") ? r.name() : r.name() + "." + (zone.endsWith(".") ? zone : zone + ".");
    }

    static DnsZone zone(Inventory inv) {
        return DnsAccess.dnsZone(inv);
    }

    static DnsClient client(ActionContext ctx, boolean signed) throws StepFailure {
        return new DnsClient(signed ? DnsAccess.tsigKey(ctx) : Optional.empty(), ctx.clock(), QUERY_TIMEOUT);
    }

    static StepFailure failure(DnsException e) {
        // the adapter's message already carries the kind's hint
        return new StepFailure(e.getMessage(), e.isRetriable(), e);
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

    // ---------------------------------------------------------------- dns.update

    /** {@code dns.update}. */
    public static final class UpdateStep implements StepType {
        @Override
        public String name() {
            return "dns.update";
        }

        @Override
        public String summary() {
            return "flip A records to a region in one TSIG-signed UPDATE (compare-and-swap)";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(records(), to(),
                    FieldSpec.optional("from", FieldKind.REGION, "region the records point at now (default: the other region)"),
                    FieldSpec.optional("ttl", FieldKind.DURATION, "TTL written with the records (default: keep the current TTL)"),
                    FieldSpec.optional("maxZoneShare", FieldKind.NUMBER, "also refuse to touch more than this share of the zone's A records, e.g. 0.5 (needs zone transfer for drctl's key; default: no share limit)")
                            .between(0, 1),
                    FieldSpec.optional("force", FieldKind.STRING, "reason to exceed the change threshold (journaled)"));
        }

        @Override
        public Targets targets() {
            return Targets.NONE;
        }

        @Override
        public void validate(StepSpec step, StepValidation v) {
            validateRecords(step, v, true);
            String from = step.fields().optString("from").orElseGet(() -> otherRegion(v.inventory(), step.fields().string("to")));
            if (from != null) {
                for (DnsRecord r : step.fields().records("records")) {
                    Optional<String> now = addressOf(r, from, v.inventory());
                    if (now.isEmpty()) {
                        v.problem("records", "record `" + r.name() + "` names no existing host in region " + from);
                    } else if (!Values.isIpv4(now.get())) {
                        v.problem("records", "record `" + r.name() + "` in " + from + " points at '" + now.get()
                                + "', which is not an IPv4 address (the compare-and-swap expects the current A record)");
                    }
                }
            }
            step.fields().number("maxZoneShare").ifPresent(d -> {
                if (d <= 0) {
                    v.problem("maxZoneShare", "maxZoneShare must be more than 0 (a share of the zone), found " + d);
                }
            });
        }

        @Override
        public List<Action> expand(StepSpec step, Expansion x) {
            Inventory inv = x.inventory();
            String to = step.fields().string("to");
            String from = step.fields().optString("from").orElseGet(() -> otherRegion(inv, to));
            List<DnsRecord> recs = step.fields().records("records");
            List<RecordFlip> flips = new ArrayList<>();
            for (DnsRecord r : recs) {
                flips.add(RecordFlip.of(fqdn(r, inv), addressOf(r, from, inv).orElseThrow(), addressOf(r, to, inv).orElseThrow()));
            }
            Optional<Duration> ttl = step.fields().duration("ttl");
            double share = step.fields().number("maxZoneShare").orElse(1.0);
            Optional<String> force = step.fields().optString("force");
            return List.of(new UpdateAction(flips, ttl, share, force, recs.size()));
        }
    }

    static String otherRegion(Inventory inv, String to) {
        List<String> others = inv.regions().keySet().stream().filter(r -> !r.equals(to)).toList();
        return others.size() == 1 ? others.get(0) : null;
    }

    static final class UpdateAction implements Action {
        private final List<RecordFlip> flips;
        private final Optional<Duration> ttl;
        private final double share;
        private final Optional<String> force;
        private final int declared;

        UpdateAction(List<RecordFlip> flips, Optional<Duration> ttl, double share, Optional<String> force, int declared) {
            this.flips = flips;
            this.ttl = ttl;
            this.share = share;
            this.force = force;
            this.declared = declared;
        }

        @Override
        public String target() {
            return flips.stream().map(RecordFlip::name).collect(Collectors.joining(","));
        }

        @Override
        public String description() {
            return "one UPDATE: " + flips.stream().map(f -> f.name() + " " + String.join(",", f.from()) + " -> "
                    + String.join(",", f.to())).collect(Collectors.joining("; ")) + ttl.map(t -> " (ttl " + t.toSeconds() + "s)").orElse("");
        }

        private FlipRequest request(boolean reversed) {
            ChangeThreshold t = ChangeThreshold.of(declared, share);
            if (force.isPresent()) {
                t = t.forced(force.get());
            }
            FlipRequest r = new FlipRequest(flips, ttl, t);
            return reversed ? r.reversed() : r;
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            DnsZone zone = zone(ctx.inventory());
            DnsUpdater updater = new DnsUpdater(zone, client(ctx, true));
            List<String> names = flips.stream().map(RecordFlip::name).toList();
            ZoneProbe p = updater.probe(names);
            boolean satisfied = true;
            for (RecordFlip f : flips) {
                Optional<RecordState> s = p.at(zone.primary(), f.name());
                boolean ttlOk = ttl.isEmpty() || s.flatMap(RecordState::ttl).equals(ttl);
                satisfied &= s.isPresent() && s.get().addresses().equals(f.to()) && ttlOk;
            }
            String desired = flips.stream().map(f -> f.name() + " A " + String.join(",", f.to())).collect(Collectors.joining(", "));
            String current = currentAtPrimary(p, zone, names);
            return satisfied ? Probe.satisfied(current, desired) : Probe.needed(current, desired);
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            return Applied.of(describe(send(ctx, false)));
        }

        private UpdateOutcome send(ActionContext ctx, boolean reversed) throws Exception {
            DnsUpdater updater = new DnsUpdater(zone(ctx.inventory()), client(ctx, true));
            FlipRequest request = request(reversed);
            try {
                if (force.isPresent()) {
                    ctx.note("forceReason", force.get());
                }
                // with maxZoneShare set, the adapter counts the zone's A records (zone transfer with drctl's key)
                return updater.apply(request);
            } catch (DnsException e) {
                throw failure(e);
            }
        }

        private static String describe(UpdateOutcome o) {
            if (o instanceof UpdateOutcome.AlreadySatisfied s) {
                return "already held, nothing sent: " + s.names();
            }
            UpdateOutcome.Applied a = (UpdateOutcome.Applied) o; // sealed: the only other outcome
            return "sent one UPDATE: " + a.changes() + a.forceReason().map(r -> " (threshold forced: " + r + ")").orElse("");
        }

        @Override
        public Verified verify(ActionContext ctx) throws Exception {
            DnsZone zone = zone(ctx.inventory());
            DnsUpdater updater = new DnsUpdater(zone, client(ctx, true));
            List<String> names = flips.stream().map(RecordFlip::name).toList();
            ZoneProbe p = updater.probe(names);
            for (RecordFlip f : flips) {
                Optional<RecordState> s = p.at(zone.primary(), f.name());
                if (s.isEmpty() || !s.get().addresses().equals(f.to())) {
                    return Verified.failed(f.name() + " A at " + zone.primary() + ": expected " + f.to() + ", got "
                            + s.map(RecordState::addresses).map(Object::toString).orElse("no answer"));
                }
            }
            return Verified.ok("primary " + zone.primary() + " answers " + currentAtPrimary(p, zone, names));
        }

        @Override
        public boolean revertible() {
            return true;
        }

        @Override
        public Reverted revert(ActionContext ctx) throws Exception {
            return Reverted.done(describe(send(ctx, true)));
        }
    }

    // ---------------------------------------------------------------- dns.verify

    /** {@code dns.verify}. */
    public static final class VerifyStep implements StepType {
        @Override
        public String name() {
            return "dns.verify";
        }

        @Override
        public String summary() {
            return "every authoritative server answers exactly the region's addresses";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(records(), to(),
                    FieldSpec.optional("within", FieldKind.DURATION, "give up after this long (default 2m)"),
                    FieldSpec.optional("interval", FieldKind.DURATION, "pause between rounds (default 1s)"));
        }

        @Override
        public Targets targets() {
            return Targets.NONE;
        }

        @Override
        public void validate(StepSpec step, StepValidation v) {
            validateRecords(step, v, true);
        }

        @Override
        public List<Action> expand(StepSpec step, Expansion x) {
            Map<String, Set<String>> want = wanted(step.fields().records("records"), step.fields().string("to"), x.inventory());
            Duration within = step.fields().duration("within").orElse(Duration.ofMinutes(2));
            Duration interval = step.fields().duration("interval").orElse(Duration.ofSeconds(1));
            return List.of(new VerifyAction(want, within, interval));
        }
    }

    static final class VerifyAction implements Action {
        @Override
        public boolean changes() {
            return false;
        }

        private final Map<String, Set<String>> want;
        private final Duration within;
        private final Duration interval;

        VerifyAction(Map<String, Set<String>> want, Duration within, Duration interval) {
            this.want = want;
            this.within = within;
            this.interval = interval;
        }

        @Override
        public String target() {
            return String.join(",", want.keySet());
        }

        @Override
        public String description() {
            return "every authoritative server answers " + show(want);
        }

        @Override
        public Probe probe(ActionContext ctx) {
            return Probe.unknown("verified by querying every server");
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            DnsZone zone = zone(ctx.inventory());
            DnsVerifier verifier = new DnsVerifier(client(ctx, false), ctx.clock(),
                    d -> ctx.pause(d), interval);
            try {
                // a forced run (a region is gone) skips servers that never answer, naming them; one with old data still fails
                boolean forced = io.drctl.orchestrator.config.load.Params.FORCED.equals(ctx.params().get(io.drctl.orchestrator.config.load.Params.MODE));
                DnsVerifier.Verified v = verifier.verify(zone.servers(), want, ctx.cancellation().remaining(within), forced);
                v.skipped().forEach((server, seen) -> ctx.log().notice("skipped DNS server " + server + " (forced mode): " + seen));
                return Applied.of(v.servers().size() + " server(s) answer " + show(want) + " after "
                        + v.elapsed().toMillis() + " ms (" + v.rounds() + " round(s))"
                        + (v.skipped().isEmpty() ? "" : "; skipped, not answering (forced mode): " + v.skipped().keySet()));
            } catch (DnsException e) {
                throw failure(e);
            }
        }

        @Override
        public Verified verify(ActionContext ctx) {
            return Verified.byApply();
        }
    }

    // ---------------------------------------------------------------- dns.ttl

    /** {@code dns.ttl}. */
    public static final class TtlStep implements StepType {
        @Override
        public String name() {
            return "dns.ttl";
        }

        @Override
        public String summary() {
            return "set the records' TTL (lower it before a planned failover; revert restores dns.ttl)";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(records(), FieldSpec.required("ttl", FieldKind.DURATION, "the TTL to set, e.g. 30s"));
        }

        @Override
        public Targets targets() {
            return Targets.NONE;
        }

        @Override
        public void validate(StepSpec step, StepValidation v) {
            validateRecords(step, v, true);
            Duration t = step.fields().duration("ttl").orElseThrow();
            if (t.toSeconds() < 1 || t.toSeconds() > 86400) {
                v.problem("ttl", "ttl must be between 1s and 1d, found " + t.toSeconds() + "s");
            }
        }

        @Override
        public List<Action> expand(StepSpec step, Expansion x) {
            List<String> names = step.fields().records("records").stream().map(r -> fqdn(r, x.inventory())).toList();
            return List.of(new TtlAction(names, step.fields().duration("ttl").orElseThrow()));
        }
    }

    static final class TtlAction implements Action {
        private final List<String> names;
        private final Duration ttl;

        TtlAction(List<String> names, Duration ttl) {
            this.names = names;
            this.ttl = ttl;
        }

        @Override
        public String target() {
            return String.join(",", names);
        }

        @Override
        public String description() {
            return "set TTL " + ttl.toSeconds() + "s on " + names;
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            DnsZone zone = zone(ctx.inventory());
            ZoneProbe p = new DnsUpdater(zone, client(ctx, true)).probe(names);
            boolean ok = names.stream().allMatch(n -> p.at(zone.primary(), n).flatMap(RecordState::ttl).equals(Optional.of(ttl)));
            String current = currentAtPrimary(p, zone, names);
            return ok ? Probe.satisfied(current, "ttl " + ttl.toSeconds()) : Probe.needed(current, "ttl " + ttl.toSeconds());
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            return Applied.of("previous TTLs: " + set(ctx, ttl));
        }

        private Map<String, Duration> set(ActionContext ctx, Duration value) throws Exception {
            DnsUpdater updater = new DnsUpdater(zone(ctx.inventory()), client(ctx, true));
            Map<String, Duration> m = new LinkedHashMap<>();
            names.forEach(n -> m.put(n, value));
            try {
                return updater.setTtls(m);
            } catch (DnsException e) {
                throw failure(e);
            }
        }

        @Override
        public Verified verify(ActionContext ctx) throws Exception {
            Probe p = probe(ctx);
            return p.isSatisfied() ? Verified.ok(p.current()) : Verified.failed("expected ttl " + ttl.toSeconds() + "s, got " + p.current());
        }

        @Override
        public boolean revertible() {
            return true;
        }

        @Override
        public Reverted revert(ActionContext ctx) throws Exception {
            Duration restore = Duration.ofSeconds(ctx.inventory().dns().orElseThrow().ttl());
            set(ctx, restore);
            return Reverted.done("TTL restored to the inventory's dns.ttl " + restore.toSeconds() + "s on " + names);
        }
    }

    // ---------------------------------------------------------------- dns.flush-cache

    /** {@code dns.flush-cache}. */
    public static final class FlushStep implements StepType {
        @Override
        public String name() {
            return "dns.flush-cache";
        }

        @Override
        public String summary() {
            return "flush resolver caches on hosts and prove the records resolve there to the region's addresses";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(records(), to(),
                    FieldSpec.optional("within", FieldKind.DURATION, "per host: give up after this long (default 1m)"),
                    FieldSpec.optional("interval", FieldKind.DURATION, "pause between flush+resolve rounds (default 2s)"));
        }

        @Override
        public Targets targets() {
            return Targets.HOSTS;
        }

        @Override
        public void validate(StepSpec step, StepValidation v) {
            validateRecords(step, v, true);
        }

        @Override
        public List<Action> expand(StepSpec step, Expansion x) {
            Map<String, Set<String>> want = wanted(step.fields().records("records"), step.fields().string("to"), x.inventory());
            Duration within = step.fields().duration("within").orElse(Duration.ofMinutes(1));
            Duration interval = step.fields().duration("interval").orElse(Duration.ofSeconds(2));
            String zone = x.inventory().dns().orElseThrow().zone();
            List<Action> out = new ArrayList<>();
            for (Host h : step.hosts()) {
                out.add(new FlushAction(h, want, zone, within, interval));
            }
            return out;
        }
    }

    static final class FlushAction implements Action {
        private final Host host;
        private final Map<String, Set<String>> want;
        private final String zone;
        private final Duration within;
        private final Duration interval;

        FlushAction(Host host, Map<String, Set<String>> want, String zone, Duration within, Duration interval) {
            this.host = host;
            this.want = want;
            this.zone = zone;
            this.within = within;
            this.interval = interval;
        }

        @Override
        public String target() {
            return host.ref();
        }

        @Override
        public String description() {
            return "flush " + host.resolver().filter(r -> !r.equals(ResolverKind.AUTO))
                    .map(r -> r.equals(ResolverKind.NONE) ? "no cache (none declared)" : r + " cache")
                    .orElse("resolver caches") + " on " + host.ref() + " until it resolves " + show(want);
        }

        @Override
        public Probe probe(ActionContext ctx) {
            // a host that resolves right may still hold other stale entries: always flush
            return Probe.unknown("caches are always flushed");
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            ResolverCacheFlusher flusher = new ResolverCacheFlusher(ctx.clock(), d -> ctx.pause(d),
                    Duration.ofSeconds(30), interval);
            CacheHost ch = new CacheHost(host.ref(), ctx.hosts().runner(host), host.resolverPidFile());
            try {
                // the inventory's `resolver:` names the host's cache (or none); absent or `auto`: detect
                Optional<List<ResolverKind>> caches = host.resolver().flatMap(ResolverKind::declared);
                FlushResult r = flusher.flushOne(ch, new ResolverCacheFlusher.Request(want, Optional.of(zone),
                        ctx.cancellation().remaining(within), caches));
                return Applied.of("flushed " + r.flushed() + "; resolves " + r.resolved() + " after " + r.attempts()
                        + " round(s), " + r.elapsed().toMillis() + " ms");
            } catch (CacheFlushException e) {
                throw new StepFailure(e.getMessage(), e.isRetriable(), e);
            }
        }

        @Override
        public Verified verify(ActionContext ctx) {
            return Verified.byApply();
        }
    }
}
