package io.drctl.orchestrator.steps.dns;

import static io.drctl.orchestrator.steps.dns.DnsSteps.addressOf;
import static io.drctl.orchestrator.steps.dns.DnsSteps.fqdn;
import static io.drctl.orchestrator.steps.dns.DnsSteps.otherRegion;
import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.dns.ChangeThreshold;
import io.drctl.dns.DnsUpdater;
import io.drctl.dns.FlipRequest;
import io.drctl.dns.RecordFlip;
import io.drctl.dns.RecordState;
import io.drctl.dns.UpdateOutcome;
import io.drctl.dns.ZoneProbe;
import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.spi.Verified;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code dns.update}: flip the records to the hosts of region {@code to}, all in one TSIG-signed RFC 2136 UPDATE
 * whose prerequisites are the whole expected old RRsets (compare-and-swap).
 */
public final class DnsUpdateStep extends DnsSteps {
    public DnsUpdateStep() {
        super("dns.update", Targets.NONE, "flip A records to a region in one TSIG-signed UPDATE (compare-and-swap)",
                List.of(DnsSteps.records(), DnsSteps.to(),
                        FieldSpec.optional("from", FieldKind.REGION, "region the records point at now (default: the other region)"),
                        FieldSpec.optional("ttl", FieldKind.DURATION, "TTL written with the records (default: keep the current TTL)"),
                        FieldSpec.optional("maxZoneShare", FieldKind.NUMBER, "also refuse to touch more than this share of the zone's A records, e.g. 0.5 (needs zone transfer for drctl's key; default: no share limit)")
                                .between(0, 1),
                        FieldSpec.optional("force", FieldKind.STRING, "reason to exceed the change threshold (journaled)")));
    }

    @Override
    public void validate(StepSpec step, StepValidation v) {
        super.validate(step, v);
        String from = step.fields().optString("from").orElseGet(() -> otherRegion(v.inventory(), step.fields().string("to")));
        if (from != null) {
            DnsSteps.checkAddresses(step, v, from, "the compare-and-swap expects the current A record", false);
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

    record UpdateAction(List<RecordFlip> flips, Optional<Duration> ttl, double share, Optional<String> force, int declared)
            implements Action {
        @Override
        public Set<Effect> effects() {
            return Set.of(Effect.DNS_RECORDS);
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

        private List<String> names() {
            return flips.stream().map(RecordFlip::name).toList();
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
            DnsUpdater updater = DnsSteps.updater(ctx);
            ZoneProbe p = updater.probe(names());
            boolean satisfied = true;
            for (RecordFlip f : flips) {
                Optional<RecordState> s = p.at(updater.zone().primary(), f.name());
                boolean ttlOk = ttl.isEmpty() || s.flatMap(RecordState::ttl).equals(ttl);
                satisfied &= s.isPresent() && s.get().addresses().equals(f.to()) && ttlOk;
            }
            String desired = flips.stream().map(f -> f.name() + " A " + String.join(",", f.to())).collect(Collectors.joining(", "));
            String current = DnsSteps.currentAtPrimary(p, updater.zone(), names());
            return satisfied ? Probe.satisfied(current, desired) : Probe.needed(current, desired);
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            return Applied.of(describe(send(ctx, false)));
        }

        private UpdateOutcome send(ActionContext ctx, boolean reversed) throws Exception {
            DnsUpdater updater = DnsSteps.updater(ctx);
            FlipRequest request = request(reversed);
            if (force.isPresent()) {
                ctx.note("forceReason", force.get());
            }
            // with maxZoneShare set, the adapter counts the zone's A records (zone transfer with drctl's key)
            return call(() -> updater.apply(request));
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
            DnsUpdater updater = DnsSteps.updater(ctx);
            ZoneProbe p = updater.probe(names());
            DnsSteps.recordAnswers(ctx, updater, p, flips);
            for (RecordFlip f : flips) {
                Optional<RecordState> s = p.at(updater.zone().primary(), f.name());
                if (s.isEmpty() || !s.get().addresses().equals(f.to())) {
                    return Verified.failed(f.name() + " A at " + updater.zone().primary() + ": expected " + f.to() + ", got "
                            + s.map(RecordState::addresses).map(Object::toString).orElse("no answer"));
                }
            }
            return Verified.ok("primary " + updater.zone().primary() + " answers " + DnsSteps.currentAtPrimary(p, updater.zone(), names()));
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
}
