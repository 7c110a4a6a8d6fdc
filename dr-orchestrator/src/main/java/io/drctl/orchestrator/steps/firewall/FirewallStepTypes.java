package io.drctl.orchestrator.steps.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drctl.firewall.BackendKind;
import io.drctl.firewall.BlockingRule;
import io.drctl.firewall.Cidr;
import io.drctl.firewall.Fence;
import io.drctl.firewall.FenceChange;
import io.drctl.firewall.FencePersistence;
import io.drctl.firewall.FenceProbe;
import io.drctl.firewall.FenceVerifier;
import io.drctl.firewall.FirewallBackend;
import io.drctl.firewall.FirewallBackends;
import io.drctl.firewall.FirewallException;
import io.drctl.firewall.LockoutGuard;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Region;
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
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code firewall.fence}, {@code firewall.unfence} and {@code firewall.verify}: the DBMS fence of the
 * reference architecture, judged by its effect. A fence is whatever on the host drops or rejects the port
 * from the sources: drctl's tagged REJECT rules, or anyone's (the manual procedure's untagged
 * {@code iptables -A INPUT ... -j REJECT}), each shown with its origin and exact text.
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
 * Fencing adds tagged ({@code drctl:fence:<name>}) rules first in INPUT for the sources nothing blocks yet,
 * cuts the sources' live connections (conntrack) and persists the rules where the host persists its
 * firewall; it refuses rules that would cover the SSH port or the address drctl connects from. Unfencing
 * removes every rule that blocks the sources on the port, whoever wrote it: before the first deletion the
 * exact rules are written (fsync'd) to {@code <run dir>/firewall/<step>.<target>.removed.json} and noted in the
 * journal ({@code action.note removedRules}); {@code drctl rollback} puts them back verbatim from that file.
 * Plans name each rule that will be removed or kept, and whether the result survives a reboot.
 */
public final class FirewallStepTypes {
    private FirewallStepTypes() {
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
                case FENCE -> "block a port from source ranges: tagged REJECT rules first in INPUT, live connections cut, persisted (idempotent)";
                case UNFENCE -> "remove every rule blocking a port from source ranges, whoever wrote it (journaled; rollback restores them verbatim)";
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
            Probe described = describeProbe(mode, fence, expectFenced, p);
            List<BlockingRule> siteRules = mode == Mode.FENCE ? siteRulesToRestore(ctx, p) : List.of();
            if (siteRules.isEmpty()) {
                return described;
            }
            return Probe.needed(described.current(), described.desired() + "; will first restore " + siteRules.size()
                    + " rule(s) of the site that an earlier unfence removed, verbatim: "
                    + String.join(" | ", siteRules.stream().map(BlockingRule::text).toList()));
        }

        /**
         * Where the site's own blocking rules go that an unfence removed from this host (the latest such removal, for
         * this port), so a later fence of the host, a failback's, puts the site's fence back as it was; kept in the
         * state dir, beside the runs.
         */
        private Optional<Path> siteRulesFile(ActionContext ctx) {
            return ctx.runDir().map(d -> d.getParent().getParent().resolve("firewall")
                    .resolve(host.ref().replaceAll("[^A-Za-z0-9_.-]", "_") + ".tcp" + fence.port() + ".site-rules.json"));
        }

        /** The recorded site rules that the host lacks now (nothing when none were recorded). */
        private List<BlockingRule> siteRulesToRestore(ActionContext ctx, FenceProbe now) throws StepFailure {
            Optional<Path> file = siteRulesFile(ctx);
            if (file.isEmpty() || !Files.exists(file.get())) {
                return List.of();
            }
            try {
                return readRemoved(file.get()).stream()
                        .filter(r -> fence.sources().stream().anyMatch(c -> r.source().overlaps(c)))
                        .filter(r -> now.blocking().stream().noneMatch(x -> x.text().equals(r.text())))
                        .toList();
            } catch (java.io.IOException | RuntimeException e) {
                throw new StepFailure("cannot read the site's removed rules in " + file.get() + ": " + e.getMessage()
                        + " (move the file away to fence with drctl's rules alone)", false);
            }
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            if (mode == Mode.VERIFY) {
                return Applied.of("nothing to change");
            }
            FirewallBackend b = call(() -> backend(ctx));
            FenceChange change;
            StringBuilder out = new StringBuilder();
            if (mode == Mode.FENCE) {
                // the site's own fence first, as it was before an earlier unfence removed it; then drctl's, first in INPUT
                FenceProbe now = call(() -> b.probe(fence));
                now.foreign().forEach(r -> ctx.log().notice("keeping (not drctl's): " + r.text()));
                List<BlockingRule> siteRules = siteRulesToRestore(ctx, now);
                if (!siteRules.isEmpty()) {
                    siteRules.forEach(r -> ctx.log().notice("restoring the site's rule (removed by an earlier unfence): " + r.text()));
                    // recorded before they go back, so a rollback of this fence takes exactly these off again
                    Optional<Path> restoredRecord = restoredRulesFile(ctx);
                    if (restoredRecord.isPresent()) {
                        writeRemoved(restoredRecord.get(), siteRules, b);
                    }
                    FenceChange back = call(() -> b.restore(fence, siteRules));
                    siteRules.forEach(r -> out.append("restored (the site's, removed by an earlier unfence): ").append(r.text()).append('\n'));
                    ctx.note("restoredSiteRules", toJson(siteRules).toString());
                    out.append(back).append('\n');
                    // back on the host: the next unfence records them again
                    siteRulesFile(ctx).ifPresent(f -> {
                        try {
                            Files.deleteIfExists(f);
                        } catch (java.io.IOException e) {
                            out.append("could not remove ").append(f).append(": ").append(e.getMessage()).append('\n');
                        }
                    });
                }
                change = call(() -> b.apply(fence, guard(ctx)));
            } else {
                Optional<Path> record = removedRulesFile(ctx);
                Optional<Path> site = siteRulesFile(ctx);
                // a retry or resume of this action adds to what it recorded; a new removal replaces an older one
                java.util.concurrent.atomic.AtomicBoolean fresh = new java.util.concurrent.atomic.AtomicBoolean(
                        record.isEmpty() || !Files.exists(record.get()));
                change = call(() -> b.remove(fence, rules -> {
                    rules.forEach(r -> ctx.log().notice("removing" + (r.foreign() ? " (not drctl's): " : ": ") + r.text()));
                    if (record.isPresent()) {
                        writeRemoved(record.get(), rules, b);
                    }
                    // the site's own rules, kept before they are deleted so a later fence of this host (the failback's)
                    // restores them verbatim
                    List<BlockingRule> foreign = rules.stream().filter(BlockingRule::foreign).toList();
                    if (site.isPresent() && !foreign.isEmpty()) {
                        try {
                            if (fresh.getAndSet(false)) {
                                Files.deleteIfExists(site.get());
                            }
                        } catch (java.io.IOException e) {
                            throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, b.describe(),
                                    "cannot replace " + site.get() + " (nothing was removed): " + e.getMessage(), e);
                        }
                        writeRemoved(site.get(), foreign, b);
                    }
                }));
                if (!change.removedRules().isEmpty()) {
                    ctx.note("removedRules", toJson(change.removedRules()).toString());
                }
            }
            change.removedRules().forEach(r -> out.append("removed").append(r.foreign() ? " (not drctl's): " : ": ").append(r.text()).append('\n'));
            change.notes().forEach(n -> out.append(n).append('\n'));
            return new Applied(change.toString(), out.toString());
        }

        private LockoutGuard guard(ActionContext ctx) {
            return new LockoutGuard(ctx.inventory().sshFor(host).port().orElse(22), controllerAddress(host.address()));
        }

        /** Where a fence records the site's rules it restored, so its rollback takes exactly those off again; absent in plan mode. */
        private Optional<Path> restoredRulesFile(ActionContext ctx) {
            return ctx.runDir().map(d -> d.resolve("firewall").resolve(ctx.stepId() + "." + host.ref().replaceAll("[^A-Za-z0-9_.-]", "_")
                    + ".restored.json"));
        }

        /** Where an unfence records the rules it removes, for rollback; absent in plan mode. */
        private Optional<Path> removedRulesFile(ActionContext ctx) {
            return ctx.runDir().map(d -> d.resolve("firewall").resolve(ctx.stepId() + "." + host.ref().replaceAll("[^A-Za-z0-9_.-]", "_")
                    + ".removed.json"));
        }

        @Override
        public Verified verify(ActionContext ctx) throws Exception {
            FirewallBackend b = call(() -> backend(ctx));
            if (sources.isEmpty()) {
                FenceProbe p = call(() -> b.probe(fence));
                boolean ok = expectFenced ? p.isBlocked() : p.isOpen();
                String seen = p.describe() + "; " + p.persistence().describe(fence, expectFenced);
                return ok ? Verified.ok("rules listed as expected on " + host.ref() + ": " + seen + " (effect not tested: no verifyFrom)")
                        : Verified.failed(host.ref() + ": expected " + (expectFenced ? "every source blocked" : "no rule blocking any source")
                        + ", listing shows " + seen + (expectFenced ? "" : ": " + p.blocking()));
            }
            FenceVerifier verifier = new FenceVerifier(connectTimeout);
            List<String> details = new ArrayList<>();
            FenceProbe last = null;
            for (Host src : sources) {
                CommandRunner sourceRunner = ctx.hosts().runner(src);
                FenceVerifier.Verification v = call(() -> verifier.verify(b, fence, expectFenced, sourceRunner, host.address()));
                if (!v.passed()) {
                    return Verified.failed(host.ref() + ": " + v.detail());
                }
                details.add(src.ref() + " saw " + v.outcome());
                last = v.probe();
            }
            return Verified.ok(String.join("; ", details) + "; " + last.describe() + "; " + last.persistence().describe(fence, expectFenced));
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
            if (mode == Mode.FENCE) {
                // take drctl's rules out, and the site's rules this fence restored; any other blocking rule the removal
                // met goes back as it was
                Optional<Path> restoredRecord = restoredRulesFile(ctx);
                List<BlockingRule> restoredHere = restoredRecord.isPresent() && Files.exists(restoredRecord.get())
                        ? readRemoved(restoredRecord.get()) : List.of();
                FenceChange removed = call(() -> b.remove(fence));
                if (!restoredHere.isEmpty()) {
                    siteRulesFile(ctx).ifPresent(f -> {
                        try {
                            writeRemoved(f, restoredHere, b); // off the host again: the next fence restores them
                        } catch (FirewallException e) {
                            ctx.log().notice("could not keep the site's rules for a later fence: " + e.getMessage());
                        }
                    });
                }
                List<BlockingRule> putBack = removed.removedForeign().stream()
                        .filter(r -> restoredHere.stream().noneMatch(x -> x.text().equals(r.text()))).toList();
                if (putBack.isEmpty()) {
                    return Reverted.done(removed.toString());
                }
                FenceChange back = call(() -> b.restore(fence, putBack));
                return Reverted.done(removed + "; " + back);
            }
            Optional<Path> record = removedRulesFile(ctx);
            List<BlockingRule> rules = record.isPresent() && Files.exists(record.get()) ? readRemoved(record.get()) : List.of();
            if (rules.isEmpty()) {
                return Reverted.done(call(() -> b.apply(fence, guard(ctx))).toString() + " (no record of removed rules: drctl's fence re-added)");
            }
            FenceChange back = call(() -> b.restore(fence, rules));
            StringBuilder what = new StringBuilder(back.toString());
            rules.forEach(r -> what.append("; restored: ").append(r.text()));
            return Reverted.done(what.toString());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Plan/probe text: what is there (each rule with its origin), what will be removed or kept, and persistence. */
    static Probe describeProbe(Mode mode, Fence fence, boolean expectFenced, FenceProbe p) {
        String persisted = p.persistence().describe(fence, expectFenced);
        StringBuilder current = new StringBuilder(p.describe());
        if (!p.foreign().isEmpty()) {
            current.append("; rules drctl did not write: ");
            current.append(String.join(" | ", p.foreign().stream().map(BlockingRule::text).toList()));
        }
        current.append("; ").append(persisted);
        if (mode == Mode.VERIFY) {
            // verification changes nothing: report what the listing shows; verify() proves the effect
            return new Probe(Probe.State.UNKNOWN, current.toString(), (expectFenced ? "fenced from " : "open to ") + fence.sources()
                    + ", proven by connecting");
        }
        boolean persistenceOk = p.persistence().state() != FencePersistence.State.SAVED || p.persistence().survivesReboot(fence, expectFenced);
        StringBuilder desired = new StringBuilder();
        boolean satisfied;
        if (mode == Mode.FENCE) {
            satisfied = p.isBlocked() && persistenceOk;
            desired.append("fenced from ").append(fence.sources());
            if (!p.isBlocked()) {
                desired.append(": will insert ").append(fence.tag()).append(" rules first in INPUT for ").append(p.unblocked())
                        .append(" and cut their live connections");
            }
            if (!p.foreign().isEmpty()) {
                desired.append("; keeps ").append(p.foreign().size()).append(" rule(s) drctl did not write");
            }
        } else {
            satisfied = p.isOpen() && persistenceOk;
            desired.append("open to ").append(fence.sources());
            List<String> doomed = new ArrayList<>();
            p.blocking().forEach(r -> doomed.add((r.foreign() ? "[not drctl's] " : "") + r.text()));
            p.unexpected().forEach(r -> doomed.add(r.ref()));
            if (!doomed.isEmpty()) {
                desired.append(": will remove ").append(doomed.size()).append(" rule(s): ").append(String.join(" | ", doomed));
            }
        }
        if (!p.alsoBlocking().isEmpty()) {
            desired.append("; kept (they block every port, not a fence of ").append(fence.port()).append("): ")
                    .append(String.join(" | ", p.alsoBlocking().stream().map(BlockingRule::text).toList()));
        }
        if (!persistenceOk) {
            desired.append("; will save the rules where the host restores them at boot");
        }
        return satisfied ? Probe.satisfied(current.toString(), desired.toString()) : Probe.needed(current.toString(), desired.toString());
    }

    static ArrayNode toJson(List<BlockingRule> rules) {
        ArrayNode a = JSON.createArrayNode();
        for (BlockingRule r : rules) {
            ObjectNode o = a.addObject();
            o.put("backend", r.backend()).put("family", r.family()).put("table", r.table()).put("chain", r.chain())
                    .put("position", r.position()).put("text", r.text()).put("source", r.source().toString())
                    .put("origin", r.origin().name()).put("effective", r.effective());
        }
        return a;
    }

    static List<BlockingRule> fromJson(JsonNode a) {
        List<BlockingRule> out = new ArrayList<>();
        for (JsonNode o : a) {
            out.add(new BlockingRule(o.path("backend").asText(), o.path("family").asText(), o.path("table").asText(),
                    o.path("chain").asText(), o.path("position").asInt(), o.path("text").asText(), Cidr.parse(o.path("source").asText()),
                    BlockingRule.Origin.valueOf(o.path("origin").asText()), o.path("effective").asBoolean(true)));
        }
        return out;
    }

    static List<BlockingRule> readRemoved(Path file) throws java.io.IOException {
        return fromJson(JSON.readTree(Files.readString(file, StandardCharsets.UTF_8)));
    }

    /**
     * Records the rules an unfence is about to delete (merged with those an earlier attempt recorded, whose
     * positions are the original ones), durably: temp file, fsync, rename, directory fsync.
     */
    static void writeRemoved(Path file, List<BlockingRule> rules, FirewallBackend b) throws io.drctl.firewall.FirewallException {
        try {
            Files.createDirectories(file.getParent());
            List<BlockingRule> all = new ArrayList<>(Files.exists(file) ? readRemoved(file) : List.of());
            for (BlockingRule r : rules) {
                if (all.stream().noneMatch(x -> x.sameRule(r))) {
                    all.add(r);
                }
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(all)), StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (java.io.IOException e) {
            throw new io.drctl.firewall.FirewallException(io.drctl.firewall.FirewallException.Kind.COMMAND_FAILED, b.describe(),
                    "cannot record the rules about to be removed in " + file + " (nothing was removed): " + e.getMessage(), e);
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
