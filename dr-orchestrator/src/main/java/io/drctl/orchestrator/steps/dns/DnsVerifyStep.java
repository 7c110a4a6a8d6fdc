package io.drctl.orchestrator.steps.dns;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.dns.DnsNames;
import io.drctl.dns.DnsVerifier;
import io.drctl.dns.DnsZone;
import io.drctl.orchestrator.config.load.Params;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.dns.DnsSteps.Wanted;
import java.time.Duration;
import java.util.List;

/** {@code dns.verify}: every authoritative server answers exactly the new RRsets (it observes, changes nothing). */
public final class DnsVerifyStep extends DnsSteps {
    public DnsVerifyStep() {
        super("dns.verify", Targets.NONE, "every authoritative server answers exactly the region's addresses",
                Wanted.fields("give up after this long (default 2m)", "pause between rounds (default 1s)"));
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion x) {
        return List.of(new VerifyAction(Wanted.of(step, x.inventory(), Duration.ofMinutes(2), Duration.ofSeconds(1))));
    }

    record VerifyAction(Wanted wanted) implements Action {
        @Override
        public boolean changes() {
            return false;
        }

        @Override
        public String target() {
            return String.join(",", wanted.want().keySet());
        }

        @Override
        public String description() {
            return "every authoritative server answers " + wanted.show();
        }

        @Override
        public Probe probe(ActionContext ctx) {
            return Probe.unknown("verified by querying every server");
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            DnsZone zone = DnsAccess.dnsZone(ctx.inventory());
            DnsVerifier verifier = new DnsVerifier(DnsSteps.client(ctx, false), ctx.clock(), d -> ctx.pause(d), wanted.interval());
            // a forced run (a region is gone) skips servers that never answer, naming them; one with old data still fails
            boolean forced = Params.FORCED.equals(ctx.params().get(Params.MODE));
            DnsVerifier.Verified v = call(() -> verifier.verify(zone.servers(), wanted.want(), ctx.cancellation().remaining(wanted.within()),
                    forced));
            v.skipped().forEach((server, seen) -> ctx.log().notice("skipped DNS server " + server + " (forced mode): " + seen));
            for (var server : v.servers()) {
                wanted.want().forEach((name, addresses) -> ctx.evidence(Evidence.of("drctl", server + " " + name + " A",
                        DnsNames.show(addresses), DnsNames.show(addresses))));
            }
            v.skipped().forEach((server, seen) -> ctx.evidence(new Evidence("drctl", server.toString(),
                    "skipped, not answering (forced mode): " + seen, "answers " + wanted.show(), false)));
            return Applied.of(v.servers().size() + " server(s) answer " + wanted.show() + " after "
                    + v.elapsed().toMillis() + " ms (" + v.rounds() + " round(s))"
                    + (v.skipped().isEmpty() ? "" : "; skipped, not answering (forced mode): " + v.skipped().keySet()));
        }

        @Override
        public Verified verify(ActionContext ctx) {
            return Verified.byApply();
        }
    }
}
