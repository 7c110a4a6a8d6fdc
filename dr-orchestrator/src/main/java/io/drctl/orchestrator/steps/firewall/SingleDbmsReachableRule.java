package io.drctl.orchestrator.steps.firewall;

import io.drctl.firewall.FenceVerifier;
import io.drctl.firewall.FirewallException;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Check;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.steps.support.DeclaredRule;
import io.drctl.orchestrator.steps.vm.VmAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code single-dbms-reachable}: from every source host that answers over SSH, at most one of the
 * DBMS hosts accepts a TCP connection on {@code port} (no split brain: the Framework can write to
 * one configuration database only). Each connection is made from the source host itself
 * ({@link FenceVerifier#connect}: CONNECTED / REFUSED / TIMED_OUT). Sources that are down or
 * unreachable over SSH are skipped and named in the detail with the reason (a dormant VM connects
 * nowhere), as long as at least one source was evaluated. When none answers, the rule cannot be
 * evaluated from anywhere and is violated, naming every source and why it was skipped (the operator
 * who knows why overrides it with a reason) — unless every source is proven powered off by its VM
 * provider (a read-only status call): a stopped VM connects to no DBMS, so the rule holds. Any other host-access error (host key, authentication)
 * also makes the rule unevaluable, i.e. violated.
 *
 * <pre>
 * - { id: one-dbms, type: single-dbms-reachable, from: "role=framework", dbms: "role=dbms", port: dbms }
 * </pre>
 */
public final class SingleDbmsReachableRule extends DeclaredRule {

    public SingleDbmsReachableRule() {
        super("single-dbms-reachable",
                "from each reachable source host, at most one DBMS host accepts TCP on the port (violated when no source answers)", List.of(
                        FieldSpec.required("from", FieldKind.SELECTOR, "source hosts (e.g. every Framework host: \"role=framework\")"),
                        FieldSpec.required("dbms", FieldKind.SELECTOR, "DBMS hosts (e.g. \"role=dbms\")"),
                        FieldSpec.required("port", FieldKind.PORT, "DBMS port (number or inventory port name, e.g. dbms)")));
    }

    @Override
    public Set<Effect> reads() {
        return Set.of(Effect.FIREWALL, Effect.POWER, Effect.DB_SERVICE);
    }

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration SSH_CHECK_TIMEOUT = Duration.ofSeconds(15);
    /** A powered-off source answers nothing: probing its SSH port first skips it without waiting out
     *  the SSH connect timeout at every check between steps. */
    static final Duration SSH_PORT_PROBE = Duration.ofMillis(1500);
    static final Duration OVERALL = Duration.ofMinutes(2);
    /** How long a source's SSH port may keep silent before its VM provider is asked whether it is powered off. */
    static final Duration PROVIDER_AFTER = Duration.ofMillis(150);

    /** The sources: each connects to the DBMS hosts over its SSH session (the DBMS hosts are only connected to). */
    @Override
    public List<Host> sessions(RuleSpec rule) {
        return rule.fields().hosts("from");
    }

    @Override
    public void validate(RuleSpec rule, StepValidation v) {
        if (rule.fields().hosts("dbms").size() < 2) {
            v.problem("dbms", "`dbms` selects " + rule.fields().hosts("dbms").size()
                    + " host(s); the rule needs at least 2 to mean anything", "e.g. dbms: \"role=dbms\" (every region)");
        }
    }

    /**
     * What one source saw: the DBMS hosts it reached, or why it was skipped (null when evaluated);
     * {@code off} when its VM provider proved it powered off (it connects nowhere).
     */
    /** From one source: the targets it reached, each connection's outcome ({@code region1/dbms REFUSED}), or why it was skipped. */
    private record Seen(Host source, List<String> reached, List<String> outcomes, String skipped, boolean off) {
    }

    @Override
    public Check evaluate(RuleSpec rule, RuleContext ctx) throws Exception {
        List<Host> sources = rule.fields().hosts("from");
        List<Host> dbms = rule.fields().hosts("dbms");
        int port = rule.fields().port("port").orElseThrow();
        FenceVerifier verifier = new FenceVerifier(CONNECT_TIMEOUT);
        int threads = Math.max(1, Math.min(16, sources.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "drctl-rule-" + rule.id());
            t.setDaemon(true);
            return t;
        });
        ExecutorService side = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "drctl-rule-" + rule.id() + "-probe");
            t.setDaemon(true);
            return t;
        });
        long deadline = System.nanoTime() + OVERALL.toNanos();
        try {
            // every source at once; from each, every (source, DBMS) connection in one SSH round trip
            Map<Host, Future<Seen>> asked = new LinkedHashMap<>();
            for (Host s : sources) {
                List<Host> targets = dbms.stream().filter(d -> !d.ref().equals(s.ref())).toList();
                asked.put(s, pool.submit(() -> fromSource(s, targets, port, verifier, ctx, side)));
            }
            List<Seen> seen = new ArrayList<>();
            for (Map.Entry<Host, Future<Seen>> f : asked.entrySet()) {
                seen.add(await(f.getValue(), deadline, "from " + f.getKey().ref()));
            }
            seen.sort(java.util.Comparator.comparingInt(x -> sources.indexOf(x.source())));
            return verdict(seen, port);
        } finally {
            pool.shutdownNow();
            side.shutdownNow();
        }
    }

    /** Whether the SSH port probe has finished and the port answered. */
    private static boolean answered(CompletableFuture<Boolean> probe) {
        return probe.isDone() && !probe.isCompletedExceptionally() && probe.join();
    }

    /** The value of a finished or pending future, its failure thrown as itself. */
    private static Object unwrapped(CompletableFuture<?> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    private static <T> T await(Future<T> f, long deadline, String what) throws Exception {
        try {
            return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + ": no answer within " + OVERALL.toSeconds() + "s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /**
     * What {@code source} reaches among {@code targets}: its SSH port must answer first; then one command on it
     * connects to every target. A source whose SSH port is silent, or whose session cannot be opened or times out,
     * is skipped (with its VM provider's word on whether it is powered off); any other SSH failure (host key,
     * authentication) fails the evaluation.
     */
    private static Seen fromSource(Host source, List<Host> targets, int port, FenceVerifier verifier, RuleContext ctx,
                                   ExecutorService side) throws Exception {
        // The SSH port probe and the VM provider are asked at once: a source whose port answers is judged over SSH;
        // one the provider reports powered off before its port has answered is skipped without waiting out the
        // probe (a dormant host's port is silent: waiting proves nothing the provider has not said).
        CompletableFuture<Boolean> portAnswers = CompletableFuture.supplyAsync(() -> ctx.hosts().answers(source, SSH_PORT_PROBE), side);
        // (the provider only once the port has kept silent for a moment: a running host answers in milliseconds)
        CompletableFuture<Optional<String>> off = CompletableFuture.supplyAsync(
                () -> answered(portAnswers) ? Optional.<String>empty()
                        : VmAccess.poweredOff(ctx.inventory(), ctx.env(), ctx.clock(), source, ctx.lost()),
                CompletableFuture.delayedExecutor(PROVIDER_AFTER.toMillis(), TimeUnit.MILLISECONDS, side));
        CompletableFuture<Object> first = CompletableFuture.anyOf(portAnswers,
                off.thenCompose(o -> o.isPresent() ? CompletableFuture.completedFuture(true) : portAnswers));
        unwrapped(first);
        int sshPort = ctx.inventory().sshFor(source).port().orElse(22);
        if (!portAnswers.isDone()) {
            portAnswers.cancel(true);
            return new Seen(source, List.of(), List.of(), "powered off: " + off.get().orElseThrow() + " (its SSH port " + sshPort
                    + " at " + source.address() + " had not answered TCP)", true);
        }
        if (!(Boolean) unwrapped(portAnswers)) {
            String why = "SSH port " + sshPort + " at " + source.address() + " does not answer TCP within "
                    + SSH_PORT_PROBE.toMillis() + " ms";
            Optional<String> o = off.get();
            return new Seen(source, List.of(), List.of(), why + o.map(x -> "; powered off: " + x).orElse(""), o.isPresent());
        }
        off.cancel(true);
        // a DBMS assumed lost is powered off: no probe is run towards it, and it is reached by none
        List<Host> probed = new ArrayList<>();
        for (Host t : targets) {
            ctx.lost().host(t).ifPresentOrElse(fault -> ctx.lost().refuse(fault, "tcp probe from " + source.ref(), t.ref()),
                    () -> probed.add(t));
        }
        if (probed.isEmpty()) {
            return new Seen(source, List.of(), List.of(), null, false);
        }
        targets = probed;
        List<FenceVerifier.ConnectOutcome> outcomes;
        try {
            outcomes = verifier.connectAll(ctx.hosts().runner(source), targets.stream().map(Host::address).toList(), port,
                    SSH_CHECK_TIMEOUT);
        } catch (HostAccessException e) {
            if (e.kind() == HostAccessException.Kind.UNREACHABLE || e.kind() == HostAccessException.Kind.COMMAND_TIMEOUT) {
                Optional<String> stopped = VmAccess.poweredOff(ctx.inventory(), ctx.env(), ctx.clock(), source, ctx.lost());
                return new Seen(source, List.of(), List.of(), "SSH " + e.kind() + ": " + e.getMessage()
                        + stopped.map(o -> "; powered off: " + o).orElse(""), stopped.isPresent());
            }
            throw e;
        } catch (FirewallException e) {
            throw new IllegalStateException("from " + source.ref() + " to " + targets.stream().map(Host::ref).toList()
                    + " (TCP " + port + "): " + e.getMessage(), e);
        }
        List<String> reached = new ArrayList<>();
        List<String> each = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            if (outcomes.get(i) == FenceVerifier.ConnectOutcome.CONNECTED) {
                reached.add(targets.get(i).ref());
            }
            each.add(targets.get(i).ref() + " " + outcomes.get(i));
        }
        return new Seen(source, reached, each, null, false);
    }

    private static Check verdict(List<Seen> seen, int port) {
        List<String> bad = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Seen s : seen) {
            if (s.skipped() != null) {
                skipped.add(s.source().ref() + " (" + s.skipped() + ")");
                continue;
            }
            // each outcome, source -> target, is the evidence a drill report shows for this rule
            String line = s.source().ref() + " reaches " + (s.reached().isEmpty() ? "none" : String.join(", ", s.reached()))
                    + " [" + String.join(", ", s.outcomes()) + "]";
            parts.add(line);
            if (s.reached().size() > 1) {
                bad.add(line);
            }
        }
        if (seen.isEmpty()) {
            return Check.violated("cannot be evaluated: `from` selects no host, so no DBMS connection can be tried");
        }
        if (parts.isEmpty() && seen.stream().allMatch(Seen::off)) {
            // proven, not assumed: every source's VM provider reports it stopped, and a stopped VM connects nowhere
            return Check.ok("no source host is running, so none can reach a DBMS: " + String.join(", ", skipped));
        }
        if (parts.isEmpty()) {
            // fail closed: "nothing seen from anywhere" proves nothing about split brain
            return Check.violated("cannot be evaluated: no source host answers over SSH, so no DBMS connection on TCP "
                    + port + " could be tried from anywhere; tried " + String.join(", ", skipped));
        }
        String skip = skipped.isEmpty() ? "" : "; skipped: " + String.join(", ", skipped);
        if (!bad.isEmpty()) {
            return Check.violated("more than one DBMS accepts TCP " + port + ": " + String.join("; ", bad)
                    + " (expected at most one per source)" + skip);
        }
        return Check.ok(String.join("; ", parts) + skip);
    }
}
