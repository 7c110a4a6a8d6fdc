package io.drctl.orchestrator.steps.adapters;

import io.drctl.firewall.BackendKind;
import io.drctl.firewall.Fence;
import io.drctl.firewall.FenceChange;
import io.drctl.firewall.FenceProbe;
import io.drctl.firewall.FenceVerifier;
import io.drctl.firewall.FirewallBackend;
import io.drctl.firewall.FirewallBackends;
import io.drctl.firewall.FirewallException;
import io.drctl.firewall.LockoutGuard;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Values;
import io.drctl.orchestrator.model.Host;
import io.drctl.orchestrator.model.Inventory;
import io.drctl.orchestrator.model.Region;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepFields;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepType;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.spi.Verified;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code firewall.fence}, {@code firewall.unfence} and {@code firewall.verify}: REJECT rules for a
 * port from source ranges on the target hosts (the DBMS fence of the reference architecture).
 *
 * <pre>
 * - id: fence-old
 *   type: firewall.fence
 *   hosts: "region=${from} role=dbms"
 *   port: dbms                   # a named port or a number; also the fence's default name
 *   from: [framework]            # CIDRs, or subnet names (the named subnet of every region)
 *   verifyFrom: "region=${from} role=framework"   # optional: prove the effect from these hosts
 * </pre>
 *
 * The rules are tagged {@code drctl:fence:<name>}; only tagged rules are ever changed. Fencing
 * refuses rules that would cover the SSH port or the address drctl connects from.
 */
public final class FirewallStepTypes {
    private FirewallStepTypes() {
    }

    public static List<StepType> all() {
        return List.of(new FenceStep(), new UnfenceStep(), new VerifyStep());
    }

    /** {@code firewall.fence}. */
    public static final class FenceStep extends FenceType {
        public FenceStep() {
            super(Mode.FENCE);
        }
    }

    /** {@code firewall.unfence}. */
    public static final class UnfenceStep extends FenceType {
        public UnfenceStep() {
            super(Mode.UNFENCE);
        }
    }

    /** {@code firewall.verify}. */
    public static final class VerifyStep extends FenceType {
        public VerifyStep() {
            super(Mode.VERIFY);
        }
    }

    enum Mode { FENCE, UNFENCE, VERIFY }

    abstract static class FenceType implements StepType {
        private final Mode mode;

        FenceType(Mode mode) {
            this.mode = mode;
        }

        @Override
        public String name() {
            return switch (mode) {
                case FENCE -> "firewall.fence";
                case UNFENCE -> "firewall.unfence";
                case VERIFY -> "firewall.verify";
            };
        }

        @Override
        public String summary() {
            return switch (mode) {
                case FENCE -> "add tagged REJECT rules for a port from source ranges (idempotent)";
                case UNFENCE -> "remove drctl's tagged fence rules for a port (only those)";
                case VERIFY -> "prove a fence (or its absence) by listing rules and connecting from source hosts";
            };
        }

        @Override
        public List<FieldSpec> fields() {
            List<FieldSpec> f = new ArrayList<>(List.of(
                    FieldSpec.required("port", FieldKind.PORT, "the fenced port: a name from `ports` or a number"),
                    FieldSpec.required("from", FieldKind.STRING_LIST, "source CIDRs or named subnets to block"),
                    FieldSpec.optional("name", FieldKind.STRING, "fence name in the rule tag (default: the port's name)"),
                    FieldSpec.optional("connectTimeout", FieldKind.DURATION, "timeout of one verification connect (default 5s)")));
            if (mode == Mode.VERIFY) {
                f.add(FieldSpec.required("source", FieldKind.SELECTOR, "hosts that try to connect"));
                f.add(FieldSpec.oneOf("expect", true, List.of("fenced", "open"), "`fenced` (refused) or `open` (accepted)"));
            } else {
                f.add(FieldSpec.optional("verifyFrom", FieldKind.SELECTOR,
                        "hosts that prove the effect by connecting (default: rules are listed only)"));
            }
            return f;
        }

        @Override
        public Targets targets() {
            return Targets.HOSTS;
        }

        @Override
        public void validate(StepSpec step, StepValidation v) {
            if (step.fields().strings("from").isEmpty()) {
                v.problem("from", "`from` is empty: a fence from nowhere blocks nothing", "e.g. from: [framework]");
            }
            for (String s : step.fields().strings("from")) {
                if (!Values.isCidr(s) && resolveSubnet(s, v.inventory()).isEmpty()) {
                    v.problem("from", "'" + s + "' is neither a CIDR nor a subnet name of any region",
                            "named subnets: " + subnetNames(v.inventory()) + "; or a CIDR like 10.77.1.8/29");
                }
            }
            Optional<String> name = step.fields().optString("name");
            if (name.isPresent() && !Values.isName(name.get())) {
                v.problem("name", "fence name '" + name.get() + "' is not a safe name", "letters, digits, '_', '.', '-'");
            }
            for (Host h : step.hosts()) {
                if (h.firewall().isEmpty() && h.os() == CommandRunner.OsFamily.WINDOWS) {
                    continue; // windows by default
                }
                if (h.firewall().isPresent()) {
                    try {
                        BackendKind.parse(h.firewall().get());
                    } catch (IllegalArgumentException e) {
                        v.problem("hosts", h.ref() + ": firewall kind '" + h.firewall().get() + "' is unknown",
                                String.join(", ", BackendKind.labels()));
                    }
                }
            }
        }

        @Override
        public List<Action> expand(StepSpec step, Expansion x) {
            StepFields f = step.fields();
            int port = f.port("port").orElseThrow();
            String fenceName = f.optString("name").orElseGet(() -> portName(x.inventory(), port));
            List<String> cidrs = new ArrayList<>();
            for (String s : f.strings("from")) {
                cidrs.addAll(Values.isCidr(s) ? List.of(s) : resolveSubnet(s, x.inventory()));
            }
            Fence fence = Fence.tcp(fenceName, port, List.copyOf(new LinkedHashSet<>(cidrs)));
            Duration connectTimeout = f.duration("connectTimeout").orElse(Duration.ofSeconds(5));
            List<Host> sources = mode == Mode.VERIFY ? f.hosts("source") : f.hosts("verifyFrom");
            boolean expectFenced = mode == Mode.VERIFY ? f.string("expect").equals("fenced") : mode == Mode.FENCE;
            List<Action> out = new ArrayList<>();
            for (Host h : step.hosts()) {
                out.add(new FenceAction(mode, h, fence, sources, expectFenced, connectTimeout));
            }
            return out;
        }
    }

    static final class FenceAction implements Action {
        private final Mode mode;
        private final Host host;
        private final Fence fence;
        private final List<Host> sources;
        private final boolean expectFenced;
        private final Duration connectTimeout;

        FenceAction(Mode mode, Host host, Fence fence, List<Host> sources, boolean expectFenced, Duration connectTimeout) {
            this.mode = mode;
            this.host = host;
            this.fence = fence;
            this.sources = sources;
            this.expectFenced = expectFenced;
            this.connectTimeout = connectTimeout;
        }

        @Override
        public boolean changes() {
            return mode != Mode.VERIFY;
        }

        @Override
        public String target() {
            return host.ref();
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

        private FirewallBackend backend(ActionContext ctx) throws HostAccessException, FirewallException {
            CommandRunner runner = ctx.hosts().runner(host);
            BackendKind kind = host.firewall().map(BackendKind::parse)
                    .orElse(host.os() == CommandRunner.OsFamily.WINDOWS ? BackendKind.WINDOWS : BackendKind.AUTO);
            return FirewallBackends.forHost(kind, runner);
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            FenceProbe p = call(() -> backend(ctx).probe(fence));
            String current = p.isFenced() ? "fenced (" + p.present().size() + " rule(s))"
                    : p.isUnfenced() ? "open (no " + fence.tag() + " rule)"
                    : "partly fenced (missing " + p.missing() + ")";
            String desired = expectFenced ? "fenced from " + fence.sources() : "open (no " + fence.tag() + " rule)";
            boolean satisfied = expectFenced ? p.isFenced() : p.isUnfenced();
            if (mode == Mode.VERIFY) {
                // verification changes nothing: report what the listing shows; verify() proves the effect
                return new Probe(Probe.State.UNKNOWN, current, desired + ", proven by connecting");
            }
            return satisfied ? Probe.satisfied(current, desired) : Probe.needed(current, desired);
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            if (mode == Mode.VERIFY) {
                return Applied.of("nothing to change");
            }
            FirewallBackend b = call(() -> backend(ctx));
            FenceChange change;
            if (mode == Mode.FENCE) {
                LockoutGuard guard = new LockoutGuard(ctx.inventory().sshFor(host).port().orElse(22), controllerAddress(host.address()));
                change = call(() -> b.apply(fence, guard));
            } else {
                change = call(() -> b.remove(fence));
            }
            return Applied.of(change.toString());
        }

        @Override
        public Verified verify(ActionContext ctx) throws Exception {
            FirewallBackend b = call(() -> backend(ctx));
            if (sources.isEmpty()) {
                FenceProbe p = call(() -> b.probe(fence));
                boolean ok = expectFenced ? p.isFenced() : p.isUnfenced();
                return ok ? Verified.ok("rules listed as expected on " + host.ref() + " (effect not tested: no verifyFrom)")
                        : Verified.failed(host.ref() + ": expected " + (expectFenced ? "all fence rules" : "no fence rule")
                        + ", listing shows present " + p.present().size() + ", missing " + p.missing());
            }
            FenceVerifier verifier = new FenceVerifier(connectTimeout);
            List<String> details = new ArrayList<>();
            for (Host src : sources) {
                CommandRunner sourceRunner = ctx.hosts().runner(src);
                FenceVerifier.Verification v = call(() -> verifier.verify(b, fence, expectFenced, sourceRunner, host.address()));
                if (!v.passed()) {
                    return Verified.failed(host.ref() + ": " + v.detail());
                }
                details.add(src.ref() + " saw " + v.outcome());
            }
            return Verified.ok(String.join("; ", details));
        }

        @Override
        public boolean revertible() {
            return mode != Mode.VERIFY;
        }

        @Override
        public Reverted revert(ActionContext ctx) throws Exception {
            if (mode == Mode.VERIFY) {
                return Reverted.notRevertible("verification changes nothing");
            }
            FirewallBackend b = call(() -> backend(ctx));
            FenceChange change = mode == Mode.FENCE ? call(() -> b.remove(fence))
                    : call(() -> b.apply(fence, new LockoutGuard(ctx.inventory().sshFor(host).port().orElse(22),
                    controllerAddress(host.address()))));
            return Reverted.done(change.toString());
        }
    }

    interface FwCall<T> {
        T get() throws FirewallException, HostAccessException;
    }

    /** Maps firewall failures onto the engine's retry decision: the adapter's kind decides. */
    static <T> T call(FwCall<T> c) throws StepFailure, HostAccessException {
        try {
            return c.get();
        } catch (FirewallException e) {
            throw new StepFailure(e.getMessage(), e.isRetriable(), e);
        }
    }

    /** The local address the kernel would use to reach {@code target} (a routing lookup; no packet is sent). */
    static List<String> controllerAddress(String target) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(Values.ip(target)), 9));
            InetAddress local = s.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? List.of() : List.of(local.getHostAddress());
        } catch (Exception e) {
            return List.of();
        }
    }

    static List<String> resolveSubnet(String name, Inventory inv) {
        List<String> out = new ArrayList<>();
        for (Region r : inv.regions().values()) {
            String c = r.subnets().get(name);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    static Set<String> subnetNames(Inventory inv) {
        Set<String> names = new LinkedHashSet<>();
        inv.regions().values().forEach(r -> names.addAll(r.subnets().keySet()));
        return names;
    }

    static String portName(Inventory inv, int port) {
        return inv.ports().entrySet().stream().filter(e -> e.getValue() == port).map(java.util.Map.Entry::getKey)
                .findFirst().orElse("port" + port);
    }
}
