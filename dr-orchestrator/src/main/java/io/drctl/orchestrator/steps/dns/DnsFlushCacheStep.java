package io.drctl.orchestrator.steps.dns;

import io.drctl.dns.DnsNames;
import io.drctl.dns.cache.CacheFlushException;
import io.drctl.dns.cache.CacheHost;
import io.drctl.dns.cache.FlushResult;
import io.drctl.dns.cache.ResolverCacheFlusher;
import io.drctl.dns.cache.ResolverKind;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.dns.DnsSteps.Wanted;
import io.drctl.orchestrator.steps.support.HostAction;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code dns.flush-cache}: flush the resolver caches on the target hosts and prove there that the names resolve to
 * the new addresses.
 */
public final class DnsFlushCacheStep extends DnsSteps {
    public DnsFlushCacheStep() {
        super("dns.flush-cache", Targets.HOSTS,
                "flush resolver caches on hosts and prove the records resolve there to the region's addresses",
                Wanted.fields("per host: give up after this long (default 1m)", "pause between flush+resolve rounds (default 2s)"));
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion x) {
        Wanted wanted = Wanted.of(step, x.inventory(), Duration.ofMinutes(1), Duration.ofSeconds(2));
        String zone = x.inventory().dns().orElseThrow().zone();
        return step.hosts().stream().<Action>map(h -> new FlushAction(h, wanted, zone)).toList();
    }

    record FlushAction(Host host, Wanted wanted, String zone) implements HostAction.OverSsh {
        @Override
        public Set<Effect> effects() {
            return Set.of(Effect.RESOLVER_CACHE);
        }

        @Override
        public String description() {
            return "flush " + host.resolver().filter(r -> !r.equals(ResolverKind.AUTO))
                    .map(r -> r.equals(ResolverKind.NONE) ? "no cache (none declared)" : r + " cache")
                    .orElse("resolver caches") + " on " + host.ref() + " until it resolves " + wanted.show();
        }

        @Override
        public Probe probe(ActionContext ctx) {
            // a host that resolves right may still hold other stale entries: always flush
            return Probe.unknown("caches are always flushed");
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            ResolverCacheFlusher flusher = new ResolverCacheFlusher(ctx.clock(), d -> ctx.pause(d),
                    Duration.ofSeconds(30), wanted.interval());
            CacheHost ch = new CacheHost(host.ref(), ctx.hosts().runner(host), host.resolverPidFile());
            try {
                // the inventory's `resolver:` names the host's cache (or none); absent or `auto`: detect
                Optional<List<ResolverKind>> caches = host.resolver().flatMap(ResolverKind::declared);
                FlushResult r = flusher.flushOne(ch, new ResolverCacheFlusher.Request(wanted.want(), Optional.of(zone),
                        ctx.cancellation().remaining(wanted.within()), caches));
                // the flusher returns only once every name resolves as wanted: these are the resolutions it saw
                r.resolved().forEach((name, addresses) -> ctx.evidence(new Evidence(host.ref(), "resolve " + name,
                        DnsNames.show(addresses) + " (flushed " + (r.flushed().isEmpty() ? "no cache" : r.flushed()) + ")",
                        DnsNames.show(wanted.want().getOrDefault(name, addresses)),
                        addresses.equals(wanted.want().getOrDefault(name, addresses)))));
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
