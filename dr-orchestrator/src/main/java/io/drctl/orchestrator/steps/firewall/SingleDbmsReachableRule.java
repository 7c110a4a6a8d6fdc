package io.drctl.orchestrator.steps.firewall;

import io.drctl.orchestrator.steps.vm.VmAccess;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.spi.SafetyRule;
import io.drctl.orchestrator.spi.Check;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.firewall.FenceVerifier;
import io.drctl.firewall.FirewallException;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.StepValidation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
public final class SingleDbmsReachableRule implements SafetyRule {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration SSH_CHECK_TIMEOUT = Duration.ofSeconds(15);
    /** A powered-off source answers nothing: probing its SSH port first skips it without waiting out
     *  the SSH connect timeout at every check between steps. */
    static final Duration SSH_PORT_PROBE = Duration.ofMillis(1500);
    static final Duration OVERALL = Duration.ofMinutes(2);

    @Override
    public String name() {
        return "single-dbms-reachable";
    }

    @Override
    public String summary() {
        return "from each reachable source host, at most one DBMS host accepts TCP on the port (violated when no source answers)";
    }

    @Override
    public List<FieldSpec> fields() {
        return List.of(
                FieldSpec.required("from", FieldKind.SELECTOR, "source hosts (e.g. every Framework host: \"role=framework\")"),
                FieldSpec.required("dbms", FieldKind.SELECTOR, "DBMS hosts (e.g. \"role=dbms\")"),
                FieldSpec.required("port", FieldKind.PORT, "DBMS port (number or inventory port name, e.g. dbms)"));
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
    private record Seen(Host source, List<String> reached, String skipped, boolean off) {
    }

    /** A source that answers over SSH (its runner), or why it was skipped, and whether it is proven powered off. */
    private record Reach(CommandRunner runner, String skipped, boolean off) {
    }

    @Override
    public Check evaluate(RuleSpec rule, RuleContext ctx) throws Exception {
        List<Host> sources = rule.fields().hosts("from");
        List<Host> dbms = rule.fields().hosts("dbms");
        int port = rule.fields().port("port").orElseThrow();
        FenceVerifier verifier = new FenceVerifier(CONNECT_TIMEOUT);
        int threads = Math.max(1, Math.min(16, sources.size() * Math.max(1, dbms.size())));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "drctl-rule-" + rule.id());
            t.setDaemon(true);
            return t;
        });
        long deadline = System.nanoTime() + OVERALL.toNanos();
        try {
            // 1. which sources answer over SSH (all at once)
            Map<Host, Future<Reach>> open = new LinkedHashMap<>();
            for (Host s : sources) {
                open.put(s, pool.submit(() -> reachable(s, ctx)));
            }
            Map<Host, CommandRunner> up = new LinkedHashMap<>();
            List<Seen> seen = new ArrayList<>();
            for (Map.Entry<Host, Future<Reach>> f : open.entrySet()) {
                Reach r = await(f.getValue(), deadline, "from " + f.getKey().ref());
                if (r.runner() == null) {
                    seen.add(new Seen(f.getKey(), List.of(), r.skipped(), r.off()));
                } else {
                    up.put(f.getKey(), r.runner());
                }
            }
            // 2. every (source, DBMS) connection at once, each made from the source host
            Map<Host, Map<Host, Future<FenceVerifier.ConnectOutcome>>> connects = new LinkedHashMap<>();
            for (Map.Entry<Host, CommandRunner> s : up.entrySet()) {
                Map<Host, Future<FenceVerifier.ConnectOutcome>> m = new LinkedHashMap<>();
                for (Host d : dbms) {
                    if (!d.ref().equals(s.getKey().ref())) {
                        m.put(d, pool.submit(() -> connect(verifier, s.getKey(), s.getValue(), d, port)));
                    }
                }
                connects.put(s.getKey(), m);
            }
            for (Map.Entry<Host, Map<Host, Future<FenceVerifier.ConnectOutcome>>> s : connects.entrySet()) {
                List<String> reached = new ArrayList<>();
                for (Map.Entry<Host, Future<FenceVerifier.ConnectOutcome>> d : s.getValue().entrySet()) {
                    FenceVerifier.ConnectOutcome o = await(d.getValue(), deadline,
                            "from " + s.getKey().ref() + " to " + d.getKey().ref());
                    if (o == FenceVerifier.ConnectOutcome.CONNECTED) {
                        reached.add(d.getKey().ref());
                    }
                }
                seen.add(new Seen(s.getKey(), reached, null, false));
            }
            seen.sort(java.util.Comparator.comparingInt(x -> sources.indexOf(x.source())));
            return verdict(seen, port);
        } finally {
            pool.shutdownNow();
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

    /** The source's runner when it answers over SSH; else why it was skipped (down or unreachable). */
    private static Reach reachable(Host source, RuleContext ctx) throws HostAccessException {
        if (!ctx.hosts().answers(source, SSH_PORT_PROBE)) {
            int sshPort = ctx.inventory().sshFor(source).port().orElse(22);
            String why = "SSH port " + sshPort + " at " + source.address() + " does not answer TCP within "
                    + SSH_PORT_PROBE.toMillis() + " ms";
            java.util.Optional<String> off = VmAccess.poweredOff(ctx.inventory(), ctx.env(), ctx.clock(), source);
            return new Reach(null, why + off.map(o -> "; powered off: " + o).orElse(""), off.isPresent());
        }
        try {
            CommandRunner runner = ctx.hosts().runner(source);
            runner.run("true", SSH_CHECK_TIMEOUT);
            return new Reach(runner, null, false);
        } catch (HostAccessException e) {
            if (e.kind() == HostAccessException.Kind.UNREACHABLE || e.kind() == HostAccessException.Kind.COMMAND_TIMEOUT) {
                java.util.Optional<String> off = VmAccess.poweredOff(ctx.inventory(), ctx.env(), ctx.clock(), source);
                return new Reach(null, "SSH " + e.kind() + ": " + e.getMessage() + off.map(o -> "; powered off: " + o).orElse(""),
                        off.isPresent());
            }
            throw e;
        }
    }

    private static FenceVerifier.ConnectOutcome connect(FenceVerifier verifier, Host source, CommandRunner runner, Host d,
                                                        int port) {
        try {
            return verifier.connect(runner, d.address(), port);
        } catch (FirewallException e) {
            throw new IllegalStateException("from " + source.ref() + " to " + d.ref() + " (" + d.address() + ":" + port
                    + "): " + e.getMessage(), e);
        }
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
            String line = s.source().ref() + " reaches " + (s.reached().isEmpty() ? "none" : String.join(", ", s.reached()));
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
