package io.drctl.orchestrator.steps.firewall;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.firewall.BlockingRule;
import io.drctl.firewall.FenceChange;
import io.drctl.firewall.FirewallBackend;
import io.drctl.firewall.FirewallException;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.steps.firewall.Fences.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code firewall.unfence}: removes every rule that blocks the sources on the port, whoever wrote it. Before the first
 * deletion the exact rules are written (fsync'd) to {@code <run dir>/firewall/<step>.<target>.removed.json} and noted
 * in the journal ({@code action.note removedRules}); {@code drctl rollback} puts them back verbatim from that file.
 * The site's own rules among them are also kept for a later fence of the host (see {@link FirewallFenceStep}).
 */
public final class FirewallUnfenceStep extends FenceStepType {
    public FirewallUnfenceStep() {
        super(Mode.UNFENCE, "firewall.unfence",
                "remove every rule blocking a port from source ranges, whoever wrote it (journaled; rollback restores them verbatim)",
                verifyFrom());
    }

    static final class UnfenceAction extends FenceHostAction {
        /** The {@link #runFile} where an unfence records the rules it removes, for rollback. */
        private static final String REMOVED = "removed.json";

        UnfenceAction(Target t) {
            super(Mode.UNFENCE, t);
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            FirewallBackend b = call(() -> backend(ctx));
            StringBuilder out = new StringBuilder();
            Optional<Path> record = runFile(ctx, REMOVED);
            Optional<Path> site = siteRulesFile(ctx);
            // a retry or resume of this action adds to what it recorded; a new removal replaces an older one
            AtomicBoolean fresh = new AtomicBoolean(record.isEmpty() || !Files.exists(record.get()));
            FenceChange change = call(() -> b.remove(fence, rules -> {
                rules.forEach(r -> ctx.log().notice("removing" + (r.foreign() ? " (not drctl's): " : ": ") + r.text()));
                if (record.isPresent()) {
                    RemovedRules.write(record.get(), rules, b);
                }
                // the site's own rules, kept before they are deleted so a later fence of this host (the failback's)
                // restores them verbatim
                List<BlockingRule> foreign = rules.stream().filter(BlockingRule::foreign).toList();
                if (site.isPresent() && !foreign.isEmpty()) {
                    try {
                        if (fresh.getAndSet(false)) {
                            Files.deleteIfExists(site.get());
                        }
                    } catch (IOException e) {
                        throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, b.describe(),
                                "cannot replace " + site.get() + " (nothing was removed): " + e.getMessage(), e);
                    }
                    RemovedRules.write(site.get(), foreign, b);
                }
            }));
            if (!change.removedRules().isEmpty()) {
                ctx.note("removedRules", RemovedRules.toJson(change.removedRules()).toString());
            }
            return FirewallFenceStep.applied(change, out);
        }

        @Override
        public Reverted revert(ActionContext ctx) throws Exception {
            FirewallBackend b = call(() -> backend(ctx));
            List<BlockingRule> rules = recorded(ctx, REMOVED);
            if (rules.isEmpty()) {
                return Reverted.done(call(() -> b.apply(fence, guard(ctx))).toString() + " (no record of removed rules: drctl's fence re-added)");
            }
            FenceChange back = call(() -> b.restore(fence, rules));
            StringBuilder what = new StringBuilder(back.toString());
            rules.forEach(r -> what.append("; restored: ").append(r.text()));
            return Reverted.done(what.toString());
        }
    }
}
