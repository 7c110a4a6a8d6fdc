package io.drctl.orchestrator.steps.dns;

import static io.drctl.orchestrator.config.yaml.Durations.Style.MEASURED;
import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.dns.DnsServer;
import io.drctl.dns.DnsUpdater;
import io.drctl.dns.DnsZone;
import io.drctl.dns.KeyCheck;
import io.drctl.dns.TsigKey;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.CheckAction;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code dns.key-check}: read-only proof that the inventory's TSIG key would be accepted: a TSIG-signed
 * SOA query of the zone to every authoritative server must come back NOERROR with a verified signature.
 * Reports the zone's serial and the clock skew seen in the signed answer (TSIG carries whole seconds, so
 * the skew is exact to about a second, network delay included); a wrong secret, unknown key or
 * clock skew fails with the DNS adapter's typed error ({@code BAD_SIGNATURE}, {@code BAD_KEY},
 * {@code BAD_TIME}, ...). Sends no update. One action per server.
 *
 * <p>Figures of each answering server: {@code dns_soa_serial} (labels {@code server}, {@code zone}) and
 * {@code tsig_clock_skew_seconds} (label {@code server}; our clock minus the server's TSIG time signed).
 *
 * <pre>
 * - id: tsig-key
 *   type: dns.key-check
 *   maxSkew: 60s
 * </pre>
 */
public final class DnsKeyCheckStepType extends DeclaredStepType {
    public DnsKeyCheckStepType() {
        super("dns.key-check", Targets.NONE,
                "check (read-only) that every DNS server accepts the TSIG key: a signed SOA query; reports clock skew",
                List.of(FieldSpec.optional("maxSkew", FieldKind.DURATION,
                        "also fail when the clock skew seen in a signed answer exceeds this (default: only reported; "
                                + "BIND itself refuses beyond 5m)")));
    }

    @Override
    public void validate(StepSpec step, StepValidation v) {
        Inventory inv = v.inventory();
        if (inv.dns().isEmpty()) {
            v.problem("type", "dns.key-check needs the inventory's `dns` section", "add dns: {zone, servers, tsig, ttl}");
        } else if (inv.dns().get().tsig().isEmpty()) {
            v.problem("type", "dns.key-check needs a TSIG key: the inventory's dns section has no `tsig`",
                    "add dns.tsig: { keyFile: <path> } or { keyEnv: <VAR> }");
        }
        step.fields().duration("maxSkew").ifPresent(d -> {
            if (d.isNegative() || d.isZero()) {
                v.problem("maxSkew", "maxSkew must be positive, found " + d);
            }
        });
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion x) {
        DnsZone zone = DnsAccess.dnsZone(x.inventory());
        List<DnsServer> servers = zone.servers();
        Optional<Duration> maxSkew = step.fields().duration("maxSkew");
        List<Action> out = new ArrayList<>();
        for (DnsServer s : servers) {
            out.add(new KeyAction(zone, s, maxSkew));
        }
        return out;
    }

    /** The key the inventory references; validation guaranteed there is one. */
    static TsigKey key(ActionContext ctx) throws StepFailure {
        return DnsAccess.tsigKey(ctx).orElseThrow();
    }

    static final class KeyAction extends CheckAction {
        private final DnsZone zone;
        private final DnsServer server;
        private final Optional<Duration> maxSkew;

        KeyAction(DnsZone zone, DnsServer server, Optional<Duration> maxSkew) {
            this.zone = zone;
            this.server = server;
            this.maxSkew = maxSkew;
        }

        @Override
        public String target() {
            return server.name();
        }

        @Override
        public String description() {
            return "signed SOA query of " + zone.name() + " at " + server + ": the TSIG key must verify"
                    + maxSkew.map(m -> ", clock skew within " + Durations.format(m, MEASURED)).orElse("");
        }

        private String desired() {
            return "key accepted" + maxSkew.map(m -> ", |skew| <= " + Durations.format(m, MEASURED)).orElse("");
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            TsigKey key = key(ctx);
            // typed: the kind (BAD_SIGNATURE, BAD_KEY, BAD_TIME, TIMEOUT, ...) is in the message and decides retrying
            KeyCheck k = call(() -> new DnsUpdater(zone, DnsAccess.client(Optional.of(key), ctx.clock(), ctx.lost())).checkKey(server));
            ctx.observe(Figure.of("dns_soa_serial", k.serial(), "server", server.name(), "zone", zone.name()));
            ctx.observe(Figure.of("tsig_clock_skew_seconds", k.clockSkew().toMillis() / 1000.0, "server", server.name()));
            String current = "key " + k.key() + " accepted by " + k.server() + ", zone serial " + k.serial()
                    + ", clock skew " + Durations.format(k.clockSkew(), MEASURED) + " (TSIG times are whole seconds)";
            boolean skewOk = maxSkew.isEmpty() || k.clockSkew().abs().compareTo(maxSkew.get()) <= 0;
            return skewOk ? Probe.satisfied(current, desired()) : Probe.needed(current, desired());
        }

        @Override
        protected String subject() {
            return server.toString();
        }
    }
}
