package io.drctl.orchestrator.steps.firewall;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.firewall.BlockingRule;
import io.drctl.firewall.FenceChange;
import io.drctl.firewall.FenceProbe;
import io.drctl.firewall.FirewallBackend;
import io.drctl.firewall.FirewallException;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.steps.firewall.Fences.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code firewall.fence} (with {@link FirewallUnfenceStep firewall.unfence} and {@link FirewallVerifyStep
 * firewall.verify}): the DBMS fence of the reference architecture, judged by its effect. A fence is whatever on the
 * host drops or rejects the port from the sources: drctl's tagged REJECT rules, or anyone's (the manual procedure's
 * untagged {@code iptables -A INPUT ... -j REJECT}), each shown with its origin and exact text.
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
 * firewall; it refuses rules that would cover the SSH port or the address drctl connects from. Before that it puts
 * back, verbatim, the site's own rules that an earlier unfence of the host removed. Plans name each rule that will
 * be removed or kept, and whether the result survives a reboot.
 */
public final class FirewallFenceStep extends FenceStepType {
    public FirewallFenceStep() {
        super(Mode.FENCE, "firewall.fence",
                "block a port from source ranges: tagged REJECT rules first in INPUT, live connections cut, persisted (idempotent)",
                verifyFrom());
    }

    /** What a fence or unfence did: the change, then each removed rule and note on its own line. */
    static Applied applied(FenceChange change, StringBuilder out) {
        change.removedRules().forEach(r -> out.append("removed").append(r.foreign() ? " (not drctl's): " : ": ").append(r.text()).append('\n'));
        change.notes().forEach(n -> out.append(n).append('\n'));
        return new Applied(change.toString(), out.toString());
    }

    static final class FenceAction extends FenceHostAction {
        /** The {@link #runFile} where a fence records the site's rules it restored, so its rollback takes exactly those off again. */
        private static final String RESTORED = "restored.json";
        /** How old the probe's listing may be for apply to use it. */
        private static final Duration FRESH = Duration.ofSeconds(5);

        FenceAction(Target t) {
            super(Mode.FENCE, t);
        }

        /**
         * The listing {@link #probe} just read, with when: apply, which the engine runs right after the probe, takes its
         * notices and the site's rules to restore from it instead of listing again (the backend's apply lists once
         * more before it changes anything, so a rule that appeared meanwhile is never added twice).
         */
        private volatile Listed lastProbe;

        private record Listed(FenceProbe probe, Instant at) {
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            FenceProbe p = call(() -> backend(ctx).probe(fence));
            lastProbe = new Listed(p, ctx.clock().instant());
            Probe described = Fences.describeProbe(Mode.FENCE, fence, expectFenced, p);
            List<BlockingRule> siteRules = siteRulesToRestore(ctx, p);
            if (siteRules.isEmpty()) {
                return described;
            }
            return Probe.needed(described.current(), described.desired() + "; will first restore " + siteRules.size()
                    + " rule(s) of the site that an earlier unfence removed, verbatim: "
                    + String.join(" | ", siteRules.stream().map(BlockingRule::text).toList()));
        }

        /** The recorded site rules that the host lacks now (nothing when none were recorded). */
        private List<BlockingRule> siteRulesToRestore(ActionContext ctx, FenceProbe now) throws StepFailure {
            Optional<Path> file = siteRulesFile(ctx);
            if (file.isEmpty() || !Files.exists(file.get())) {
                return List.of();
            }
            try {
                return RemovedRules.read(file.get()).stream()
                        .filter(r -> fence.sources().stream().anyMatch(c -> r.source().overlaps(c)))
                        .filter(r -> now.blocking().stream().noneMatch(x -> x.text().equals(r.text())))
                        .toList();
            } catch (IOException | RuntimeException e) {
                throw new StepFailure("cannot read the site's removed rules in " + file.get() + ": " + e.getMessage()
                        + " (move the file away to fence with drctl's rules alone)", false);
            }
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            FirewallBackend b = call(() -> backend(ctx));
            StringBuilder out = new StringBuilder();
            // the site's own fence first, as it was before an earlier unfence removed it; then drctl's, first in INPUT
            Listed listed = lastProbe;
            lastProbe = null;
            FenceProbe now = listed != null && listed.at().isAfter(ctx.clock().instant().minus(FRESH)) ? listed.probe()
                    : call(() -> b.probe(fence));
            now.foreign().forEach(r -> ctx.log().notice("keeping (not drctl's): " + r.text()));
            List<BlockingRule> siteRules = siteRulesToRestore(ctx, now);
            if (!siteRules.isEmpty()) {
                siteRules.forEach(r -> ctx.log().notice("restoring the site's rule (removed by an earlier unfence): " + r.text()));
                // recorded before they go back, so a rollback of this fence takes exactly these off again
                Optional<Path> restoredRecord = runFile(ctx, RESTORED);
                if (restoredRecord.isPresent()) {
                    RemovedRules.write(restoredRecord.get(), siteRules, b);
                }
                FenceChange back = call(() -> b.restore(fence, siteRules));
                siteRules.forEach(r -> out.append("restored (the site's, removed by an earlier unfence): ").append(r.text()).append('\n'));
                ctx.note("restoredSiteRules", RemovedRules.toJson(siteRules).toString());
                out.append(back).append('\n');
                // back on the host: the next unfence records them again
                siteRulesFile(ctx).ifPresent(f -> {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException e) {
                        out.append("could not remove ").append(f).append(": ").append(e.getMessage()).append('\n');
                    }
                });
            }
            FenceChange change = call(() -> b.apply(fence, guard(ctx)));
            return applied(change, out);
        }

        @Override
        public Reverted revert(ActionContext ctx) throws Exception {
            FirewallBackend b = call(() -> backend(ctx));
            // take drctl's rules out, and the site's rules this fence restored; any other blocking rule the removal
            // met goes back as it was
            List<BlockingRule> restoredHere = recorded(ctx, RESTORED);
            FenceChange removed = call(() -> b.remove(fence));
            if (!restoredHere.isEmpty()) {
                siteRulesFile(ctx).ifPresent(f -> {
                    try {
                        RemovedRules.write(f, restoredHere, b); // off the host again: the next fence restores them
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
    }
}
