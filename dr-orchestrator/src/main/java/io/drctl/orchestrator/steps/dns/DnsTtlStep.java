package io.drctl.orchestrator.steps.dns;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.dns.DnsUpdater;
import io.drctl.dns.RecordState;
import io.drctl.dns.ZoneProbe;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code dns.ttl}: set the records' TTL (lower it ahead of a planned failover; revert restores the inventory's
 * {@code dns.ttl}).
 */
public final class DnsTtlStep extends DnsSteps {
    public DnsTtlStep() {
        super("dns.ttl", Targets.NONE, "set the records' TTL (lower it before a planned failover; revert restores dns.ttl)",
                List.of(DnsSteps.records(), FieldSpec.required("ttl", FieldKind.DURATION, "the TTL to set, e.g. 30s")));
    }

    @Override
    public void validate(StepSpec step, StepValidation v) {
        super.validate(step, v);
        Duration t = step.fields().duration("ttl").orElseThrow();
        if (t.toSeconds() < 1 || t.toSeconds() > 86400) {
            v.problem("ttl", "ttl must be between 1s and 1d, found " + t.toSeconds() + "s");
        }
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion x) {
        List<String> names = step.fields().records("records").stream().map(r -> DnsSteps.fqdn(r, x.inventory())).toList();
        return List.of(new TtlAction(names, step.fields().duration("ttl").orElseThrow()));
    }

    record TtlAction(List<String> names, Duration ttl) implements Action {
        @Override
        public Set<Effect> effects() {
            return Set.of(Effect.DNS_RECORDS);
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
            DnsUpdater updater = DnsSteps.updater(ctx);
            ZoneProbe p = updater.probe(names);
            boolean ok = names.stream().allMatch(n -> p.at(updater.zone().primary(), n).flatMap(RecordState::ttl).equals(Optional.of(ttl)));
            String current = DnsSteps.currentAtPrimary(p, updater.zone(), names);
            return ok ? Probe.satisfied(current, "ttl " + ttl.toSeconds()) : Probe.needed(current, "ttl " + ttl.toSeconds());
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            return Applied.of("previous TTLs: " + set(ctx, ttl));
        }

        private Map<String, Duration> set(ActionContext ctx, Duration value) throws Exception {
            DnsUpdater updater = DnsSteps.updater(ctx);
            Map<String, Duration> m = new LinkedHashMap<>();
            names.forEach(n -> m.put(n, value));
            return call(() -> updater.setTtls(m));
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
}
