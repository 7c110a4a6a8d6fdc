package io.drctl.orchestrator.steps.firewall;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.firewall.BackendKind;
import io.drctl.firewall.BlockBehavior;
import io.drctl.firewall.BlockingRule;
import io.drctl.firewall.Fence;
import io.drctl.firewall.FenceProbe;
import io.drctl.firewall.FenceVerifier;
import io.drctl.firewall.FirewallBackend;
import io.drctl.firewall.FirewallBackends;
import io.drctl.firewall.FirewallException;
import io.drctl.firewall.LockoutGuard;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.firewall.Fences.Mode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One fence step on one host: what the three fence actions share (the backend, the description, and the verification
 * by listing the rules or by connecting from the source hosts).
 */
abstract class FenceHostAction implements Action {
    @Override
    public Set<Effect> effects() {
        return changes() ? Set.of(Effect.FIREWALL) : Set.of();
    }

    /**
     * @param host           the fenced host
     * @param fence          port and sources
     * @param sources        hosts that prove the effect by connecting (none: rules are listed only)
     * @param expectFenced   whether the sources must be blocked (or must get through)
     * @param connectTimeout bound of one verification connect
     */
    record Target(Host host, Fence fence, List<Host> sources, boolean expectFenced, Duration connectTimeout) {
    }

    private final Mode mode;
    final Host host;
    final Fence fence;
    final List<Host> sources;
    final boolean expectFenced;
    final Duration connectTimeout;

    FenceHostAction(Mode mode, Target t) {
        this.mode = mode;
        this.host = t.host();
        this.fence = t.fence();
        this.sources = t.sources();
        this.expectFenced = t.expectFenced();
        this.connectTimeout = t.connectTimeout();
    }

    @Override
    public String target() {
        return host.ref();
    }

    /** The fenced host, where rules are listed and changed, and the sources that prove the effect. */
    @Override
    public List<Host> sessions() {
        List<Host> all = new java.util.ArrayList<>(List.of(host));
        all.addAll(sources);
        return all;
    }

    @Override
    public String description() {
        String what = switch (mode) {
            case FENCE -> "fence";
            case UNFENCE -> "unfence";
            case VERIFY -> "verify " + (expectFenced ? "fenced" : "open");
        };
        return what + " tcp/" + fence.port() + " from " + fence.sources() + " on " + host.ref() + " (" + fence.tag() + ")"
                + (sources.isEmpty() ? "" : ", connecting from " + sources.stream().map(Host::ref).toList());
    }

    FirewallBackend backend(ActionContext ctx) throws HostAccessException, FirewallException {
        CommandRunner runner = ctx.hosts().runner(host);
        BackendKind kind = host.firewall().map(BackendKind::parse)
                .orElse(host.os() == CommandRunner.OsFamily.WINDOWS ? BackendKind.WINDOWS : BackendKind.AUTO);
        return FirewallBackends.forHost(kind, runner);
    }

    /** The rules listed, as the plan shows them. */
    @Override
    public Probe probe(ActionContext ctx) throws Exception {
        FenceProbe p = call(() -> backend(ctx).probe(fence));
        return Fences.describeProbe(mode, fence, expectFenced, p);
    }

    LockoutGuard guard(ActionContext ctx) {
        return new LockoutGuard(ctx.inventory().sshFor(host).port().orElse(22), Fences.controllerAddress(host.address()));
    }

    /**
     * Where the site's own blocking rules go that an unfence removed from this host (the latest such removal, for
     * this port), so a later fence of the host, a failback's, puts the site's fence back as it was; kept in the
     * state dir, beside the runs.
     */
    Optional<Path> siteRulesFile(ActionContext ctx) {
        return ctx.runDir().map(d -> d.getParent().getParent().resolve("firewall")
                .resolve(safeRef() + ".tcp" + fence.port() + ".site-rules.json"));
    }

    /** {@code <run dir>/firewall/<step>.<host>.<suffix>}, where this step records rules on this host; absent in plan mode. */
    Optional<Path> runFile(ActionContext ctx, String suffix) {
        return ctx.runDir().map(d -> d.resolve("firewall").resolve(ctx.stepId() + "." + safeRef() + "." + suffix));
    }

    /** The rules recorded in {@link #runFile}; none when nothing was recorded (or in plan mode). */
    List<BlockingRule> recorded(ActionContext ctx, String suffix) throws IOException {
        Optional<Path> file = runFile(ctx, suffix);
        return file.isPresent() ? RemovedRules.readIfExists(file.get()) : List.of();
    }

    /** A fence and an unfence can be undone; a verification changes nothing. */
    @Override
    public boolean revertible() {
        return changes();
    }

    private String safeRef() {
        return host.ref().replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /**
     * The figures of a verification's rule listing: {@code fence_rules} (the distinct rules, drctl's or not, that block
     * the port from a source; labels {@code host}, {@code port}) and {@code fence_persisted} (1 when a reboot keeps
     * the state verified: the rules for a fence, their absence for an opening).
     */
    void observe(ActionContext ctx, FenceProbe p) {
        String port = String.valueOf(fence.port());
        ctx.observe(Figure.of("fence_rules", p.blockingRules().size(), "host", host.ref(), "port", port));
        ctx.observe(Figure.of("fence_persisted", p.persistence().survivesReboot(fence, expectFenced) ? 1 : 0,
                "host", host.ref(), "port", port));
    }

    @Override
    public Verified verify(ActionContext ctx) throws Exception {
        FirewallBackend b = call(() -> backend(ctx));
        if (sources.isEmpty()) {
            FenceProbe p = call(() -> b.probe(fence));
            observe(ctx, p);
            boolean ok = expectFenced ? p.isBlocked() : p.isOpen();
            String seen = p.describe() + "; " + p.persistence().describe(fence, expectFenced);
            ctx.evidence(new Evidence(host.ref(), "rules for tcp/" + fence.port() + " (effect not tested: no verifyFrom)", seen,
                    expectFenced ? "every source blocked" : "no rule blocking any source", ok));
            return ok ? Verified.ok("rules listed as expected on " + host.ref() + ": " + seen + " (effect not tested: no verifyFrom)")
                    : Verified.failed(host.ref() + ": expected " + (expectFenced ? "every source blocked" : "no rule blocking any source")
                    + ", listing shows " + seen + (expectFenced ? "" : ": " + p.blocking()));
        }
        FenceVerifier verifier = new FenceVerifier(connectTimeout);
        List<CommandRunner> runners = new ArrayList<>();
        for (Host src : sources) {
            runners.add(ctx.hosts().runner(src));
        }
        // the rules listed once; every source connects at once
        List<FenceVerifier.Verification> seen = call(() -> verifier.verifyFrom(b, fence, expectFenced, runners, host.address()));
        FenceProbe last = seen.get(0).probe();
        observe(ctx, last);
        List<String> details = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) { // every source's outcome is evidence, the failing ones too
            FenceVerifier.Verification v = seen.get(i);
            ctx.evidence(new Evidence(sources.get(i).ref(), "tcp " + host.address() + ":" + fence.port() + " (" + host.ref() + ")",
                    v.outcome().name() + "; rules: " + v.probe().describe(), expectedOutcome(b), v.passed()));
        }
        for (int i = 0; i < sources.size(); i++) {
            FenceVerifier.Verification v = seen.get(i);
            if (!v.passed()) {
                return Verified.failed(host.ref() + ": " + v.detail());
            }
            details.add(sources.get(i).ref() + " saw " + v.outcome());
        }
        return Verified.ok(String.join("; ", details) + "; " + last.describe() + "; " + last.persistence().describe(fence, expectFenced));
    }

    /** The connection outcome a fenced (or open) port gives: a DROP backend may time out instead of refusing. */
    private String expectedOutcome(FirewallBackend b) {
        if (!expectFenced) {
            return FenceVerifier.ConnectOutcome.CONNECTED.name();
        }
        return b.blockBehavior() == BlockBehavior.DROP ? "REFUSED or TIMED_OUT" : FenceVerifier.ConnectOutcome.REFUSED.name();
    }
}
