package io.drctl.orchestrator.steps.db;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.orchestrator.config.load.Params;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.support.HostAction;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code db.promote} of a {@code kind: command} DBMS: its {@code promote} template, proven by {@code role} (and
 * {@code writeCheck}). Planned mode insists on RPO 0 as the {@code lag} template reports it (no lag template: refused,
 * nothing promoted); forced mode promotes at once. The lag read just before is the RPO this DBMS can tell.
 *
 * @param dbmsTarget where its templates connect (see {@link DbStepTypes#commandTarget})
 */
record CommandPromoteAction(Host host, io.drctl.dbms.CommandDbmsTarget dbmsTarget, io.drctl.dbms.CommandDbmsTemplates templates,
                            Duration within, Duration catchUp) implements HostAction.OverSsh {

    @Override
    public String description() {
        return "promote the DBMS on " + host.ref() + " with its `promote` template, proven by `role`"
                + (templates.writeCheck().isPresent() ? " and `writeCheck`" : "");
    }

    private io.drctl.dbms.CommandDbms dbms(ActionContext ctx) throws Exception {
        return DbStepTypes.commandDbms(host, dbmsTarget, templates, ctx);
    }

    private static String show(io.drctl.dbms.CommandDbmsProbe p) {
        return p.role().name().toLowerCase(java.util.Locale.ROOT) + p.lag().map(l -> " (lag " + l.bytes().map(b -> b + " bytes").orElse("? bytes")
                + l.delay().map(d -> ", " + d.toMillis() / 1000.0 + " s").orElse("") + ")").orElse("");
    }

    @Override
    public Probe probe(ActionContext ctx) throws Exception {
        io.drctl.dbms.CommandDbmsProbe p = call(() -> dbms(ctx).probe());
        return p.role() == io.drctl.dbms.DbmsRole.PRIMARY ? Probe.satisfied("primary", "primary") : Probe.needed(show(p), "primary");
    }

    @Override
    public Applied apply(ActionContext ctx) throws Exception {
        io.drctl.dbms.CommandDbms d = dbms(ctx);
        boolean planned = !Params.FORCED.equals(ctx.params().get(Params.MODE));
        io.drctl.dbms.CommandDbmsProbe before = call(d::probe);
        if (planned && before.role() != io.drctl.dbms.DbmsRole.PRIMARY) {
            if (templates.lag().isEmpty()) {
                throw new StepFailure("planned mode: " + host.ref() + " has no `lag` template, so RPO 0 cannot be checked"
                        + " before promoting (nothing was promoted); add lag/lagPattern to its db, or run with --mode forced", false);
            }
            Instant giveUp = ctx.clock().instant().plus(catchUp);
            while (before.lag().flatMap(io.drctl.dbms.ReplicaLag::bytes).filter(b -> b == 0L).isEmpty()) {
                if (!ctx.clock().instant().isBefore(giveUp)) {
                    throw new StepFailure("planned mode: " + host.ref() + " did not report 0 bytes of lag within "
                            + catchUp.toSeconds() + "s (" + show(before) + "); nothing was promoted", false);
                }
                ctx.cancellation().pause(Duration.ofMillis(200));
                before = call(d::probe);
            }
        }
        String rpo = before.role() == io.drctl.dbms.DbmsRole.PRIMARY ? "RPO not measured: already primary"
                : before.lag().map(l -> "RPO " + l.bytes().map(b -> b + " bytes").orElse("? bytes")
                + l.delay().map(x -> ", " + x.toMillis() / 1000.0 + " s").orElse("") + " (the replica's lag as its `lag` template reports it, just before promotion)")
                .orElse("RPO unknown: " + host.ref() + " has no `lag` template");
        io.drctl.dbms.CommandPromoteResult r = call(() -> d.promote(ctx.cancellation().remaining(within)));
        if (r.changed()) {
            before.lag().flatMap(io.drctl.dbms.ReplicaLag::bytes)
                    .ifPresent(b -> ctx.observe(Figure.of("rpo_bytes", b, "replica", host.ref())));
            before.lag().flatMap(io.drctl.dbms.ReplicaLag::delay)
                    .ifPresent(x -> ctx.observe(Figure.of("rpo_seconds", x.toMillis() / 1000.0, "replica", host.ref())));
            ctx.note("rpo", rpo);
            ctx.log().notice(rpo);
        }
        return Applied.of((r.changed() ? "promoted; " + rpo : "already primary") + (r.writeChecked() ? "; write check passed" : ""));
    }

    @Override
    public Verified verify(ActionContext ctx) throws Exception {
        io.drctl.dbms.CommandDbms d = dbms(ctx);
        io.drctl.dbms.CommandDbmsProbe p = call(d::probe);
        ctx.evidence(new io.drctl.orchestrator.spi.Evidence(host.ref(), "role (its `role` template)", show(p) + ": " + p.detail(),
                "primary", p.role() == io.drctl.dbms.DbmsRole.PRIMARY));
        if (p.role() != io.drctl.dbms.DbmsRole.PRIMARY) {
            return Verified.failed(host.ref() + ": expected a primary, its `role` template says " + show(p) + ": " + p.detail());
        }
        if (templates.writeCheck().isPresent()) {
            boolean writable = call(d::verifyWritable);
            ctx.evidence(new io.drctl.orchestrator.spi.Evidence(host.ref(), "write probe (its `writeCheck` template)",
                    writable ? "passed" : "failed", "passed", writable));
            if (!writable) {
                return Verified.failed(host.ref() + ": primary, but its `writeCheck` failed");
            }
        }
        return Verified.ok("primary" + (templates.writeCheck().isPresent() ? ", write check passed" : ""));
    }

    @Override
    public Reverted revert(ActionContext ctx) {
        return Reverted.notRevertible("a promoted primary cannot become a replica again without re-seeding; failback does that");
    }
}
