package io.drctl.orchestrator.steps.db;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.dbms.DbmsException;
import io.drctl.dbms.DbmsKind;
import io.drctl.dbms.PgProbe;
import io.drctl.dbms.PgRole;
import io.drctl.dbms.PostgresInstance;
import io.drctl.dbms.PostgresPromoter;
import io.drctl.dbms.PromoteMethod;
import io.drctl.dbms.PromoteResult;
import io.drctl.orchestrator.config.load.Params;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import io.drctl.orchestrator.steps.support.HostAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.FutureTask;

/**
 * {@code db.promote}: turn the DBMS replica on each target host into a writable primary (PostgreSQL:
 * {@code pg_promote()} over the host's local socket, run as the DB OS user over SSH), then prove it
 * left recovery and accepts a write. Idempotent: a primary is left alone. Not revertible: turning a
 * primary back into a replica means re-seeding it, which failback does with a command step.
 */
public final class DbStepTypes {
    private DbStepTypes() {
    }

    /** {@code db.promote}. */
    public static final class PromoteStep extends DeclaredStepType {
        public PromoteStep() {
            super("db.promote", Targets.HOSTS,
                    "promote the DBMS replica to a writable primary (PostgreSQL), verified by a write", List.of(
                            FieldSpec.oneOf("method", false, List.of("pg_promote", "pg_ctl"), "`pg_promote` or `pg_ctl` (needs db.dataDir); default: pg_promote, pg_ctl on PostgreSQL 11 and older"),
                            DbAccess.SOCKET_DIR_FIELD,
                            FieldSpec.optional("within", FieldKind.DURATION, "wait this long for the promotion (default 60s)"),
                            FieldSpec.optional("catchUpWithin", FieldKind.DURATION, "planned mode: wait this long for the replica to"
                                    + " replay all the old primary wrote before promoting (default 60s); forced mode does not wait")));
        }

        @Override
        public void validate(StepSpec step, StepValidation v) {
            String method = step.fields().optString("method").orElse("pg_promote");
            DbAccess.validateSocketDir(step, v);
            for (Host h : step.hosts()) {
                if (!DbAccess.knownDbms(h, v, "promoted")) {
                    continue;
                }
                if (h.db().get().isCommand() && step.fields().has("method")) {
                    v.problem("method", "host " + h.ref() + " is `kind: command`: its `promote` template decides how",
                            "remove `method`");
                } else if (method.equals("pg_ctl") && h.db().get().dataDir().isEmpty()) {
                    v.problem("method", "method pg_ctl needs db.dataDir on host " + h.ref());
                } else if (!step.fields().has("method") && h.db().get().dataDir().isEmpty()
                        && h.db().get().version().flatMap(PromoteStep::major).filter(m -> m < PG_PROMOTE_SINCE_MAJOR).isPresent()) {
                    v.problem("hosts", "host " + h.ref() + " runs PostgreSQL " + h.db().get().version().get()
                            + ", which has no pg_promote(): it is promoted with pg_ctl, which needs db.dataDir", "add db.dataDir");
                }
            }
        }

        /** The major version in a {@code db.version} such as {@code 11} or {@code 9.6}, if it has one. */
        static Optional<Integer> major(String version) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d{1,4})").matcher(version);
            return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        }

        @Override
        public List<Action> expand(StepSpec step, Expansion x) {
            // no `method`: the server's version decides when promoting (pg_promote() exists from PostgreSQL 12 on)
            Optional<PromoteMethod> method = step.fields().optString("method")
                    .map(m -> m.equals("pg_ctl") ? PromoteMethod.PG_CTL : PromoteMethod.PG_PROMOTE);
            Optional<String> socketDir = step.fields().optString("socketDir");
            Duration within = step.fields().duration("within").orElse(Duration.ofSeconds(60));
            Duration catchUp = step.fields().duration("catchUpWithin").orElse(Duration.ofSeconds(60));
            List<Action> out = new ArrayList<>();
            for (Host h : step.hosts()) {
                if (h.db().orElseThrow().isCommand()) {
                    out.add(new CommandPromoteAction(h, commandTarget(h, x), h.db().get().templates().orElseThrow(), within, catchUp));
                    continue;
                }
                PostgresInstance instance = DbAccess.postgres(h, x.inventory(), socketDir);
                // the other PostgreSQL hosts of the inventory: the old primary is among them, asked for the RPO before promoting
                List<Host> others = x.inventory().hosts().stream()
                        .filter(o -> o.db().isPresent() && !o.ref().equals(h.ref()) && !o.db().get().isCommand()
                                && DbmsKind.find(o.db().get().kind()).isPresent())
                        .toList();
                List<PostgresInstance> otherInstances = others.stream().map(o -> DbAccess.postgres(o, x.inventory(), Optional.empty())).toList();
                out.add(new PromoteAction(h, instance, method, within, catchUp, others, otherInstances));
            }
            return out;
        }
    }

    /** The {@code kind: command} adapter for {@code host}, its commands run over the run's host access. */
    public static io.drctl.dbms.CommandDbms commandDbms(Host host, io.drctl.dbms.CommandDbmsTarget target,
                                                       io.drctl.dbms.CommandDbmsTemplates templates, ActionContext ctx) throws Exception {
        return new io.drctl.dbms.CommandDbms(target, templates, ctx.hosts().runner(host), Duration.ofSeconds(60),
                Duration.ofSeconds(1), ctx.clock(), d -> ctx.pause(d));
    }

    /** Where a {@code kind: command} DBMS's templates connect: the host's address and the DBMS port. */
    public static io.drctl.dbms.CommandDbmsTarget commandTarget(Host h, Expansion x) {
        int port = h.db().flatMap(Host.DbSpec::port).orElseGet(() -> x.inventory().ports().getOrDefault("dbms", 5432));
        return new io.drctl.dbms.CommandDbmsTarget(h.ref(), h.address(), port, h.address());
    }

    /** The first major version that has {@code pg_promote()}; older servers are promoted with {@code pg_ctl promote}. */
    static final int PG_PROMOTE_SINCE_MAJOR = 12;

    /**
     * The method for a server of {@code serverVersionNum} ({@code server_version_num}, e.g. 110022) when the step
     * names none: {@code pg_promote()} where it exists, else {@code pg_ctl promote}.
     */
    static PromoteMethod methodFor(int serverVersionNum) {
        return serverVersionNum < PG_PROMOTE_SINCE_MAJOR * 10_000 ? PromoteMethod.PG_CTL : PromoteMethod.PG_PROMOTE;
    }

    /**
     * @param method the step's {@code method}; empty: {@link #methodFor} the probed server version
     * @param others the inventory's other PostgreSQL hosts (the old primary is among them), with their instances
     */
    record PromoteAction(Host host, PostgresInstance instance, Optional<PromoteMethod> method, Duration within, Duration catchUp,
                         List<Host> others, List<PostgresInstance> otherInstances) implements HostAction {

        /** The replica and the primaries it is compared with (the recovery point is read on both). */
        @Override
        public List<Host> sessions() {
            List<Host> all = new java.util.ArrayList<>(List.of(host));
            all.addAll(others);
            return all;
        }
        @Override
        public Set<Effect> effects() {
            return Set.of(Effect.DB_ROLE);
        }

        @Override
        public String description() {
            return "promote PostgreSQL on " + host.ref() + " (" + instance.endpoint() + ") with "
                    + method.orElse(PromoteMethod.PG_PROMOTE).name().toLowerCase(java.util.Locale.ROOT) + ", then prove a write";
        }

        private PostgresPromoter promoter(ActionContext ctx) throws Exception {
            return new PostgresPromoter(ctx.hosts().runner(host), instance, ctx.clock(), d -> ctx.pause(d), Duration.ofSeconds(30));
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            PgProbe p = call(() -> promoter(ctx).probe());
            String current = p.role() == PgRole.PRIMARY ? "primary (" + p.standbys().size() + " standby(s))"
                    : "replica" + p.replica().map(r -> " (" + r.walReceiver().orElse("no WAL receiver")
                    + r.receiveReplayBytes().map(b -> ", replay gap " + b + " bytes").orElse("") + ")").orElse("");
            return p.role() == PgRole.PRIMARY ? Probe.satisfied(current, "primary") : Probe.needed(current, "primary");
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            boolean planned = !Params.FORCED.equals(ctx.params().get(Params.MODE));
            Rpo measured = rpo(ctx);
            if (planned && !measured.alreadyPrimary()) {
                // a planned switchover loses nothing: the replica replays all the old primary wrote (its writers are
                // fenced by now), checked with the old primary's own numbers, before anything is promoted
                Instant giveUp = ctx.clock().instant().plus(catchUp);
                Instant notListedSince = null;
                while (!measured.caughtUp()) {
                    Instant now = ctx.clock().instant();
                    boolean notListed = measured.primaryAnswered() && measured.text().contains("does not list");
                    notListedSince = notListed ? (notListedSince == null ? now : notListedSince) : null;
                    boolean expired = !now.isBefore(giveUp)
                            || (notListedSince != null && !now.isBefore(notListedSince.plus(NOT_LISTED_GRACE)));
                    if (expired) {
                        String why = measured.text().startsWith("RPO not measured: cannot read the replica")
                                ? "cannot read the replica itself: " + measured.text()
                                : !measured.primaryAnswered()
                                ? "no old primary answered within " + catchUp.toSeconds() + "s (" + measured.text() + "); a planned"
                                + " promotion needs it to confirm the replica has everything. If its region is gone, run with --mode forced"
                                : notListed
                                ? "the old primary does not list this replica among its standbys for " + NOT_LISTED_GRACE.toSeconds()
                                + "s: it is not streaming from it (or connects from another address than the inventory's): " + measured.text()
                                : "the replica did not catch up with the old primary within " + catchUp.toSeconds() + "s: " + measured.text()
                                + " (stop the writers or raise catchUpWithin, or run with --mode forced to accept the loss)";
                        throw new StepFailure("planned mode: " + why + "; nothing was promoted", false);
                    }
                    ctx.cancellation().pause(Duration.ofMillis(200));
                    measured = rpo(ctx);
                }
            }
            String rpo = measured.text();
            // the version the replica reported with its position just now decides; asked again only if that read failed
            int version = measured.serverVersionNum() > 0 ? measured.serverVersionNum()
                    : method.isPresent() || measured.alreadyPrimary() ? 0 : call(() -> promoter(ctx).probe()).serverVersionNum();
            PromoteMethod how = method.isPresent() || measured.alreadyPrimary() ? method.orElse(PromoteMethod.PG_PROMOTE)
                    : methodFor(version);
            Rpo justMeasured = measured;
            PromoteResult r = call(() -> promoter(ctx).promote(how, ctx.cancellation().remaining(within), justMeasured.replica()));
            if (r.changed()) {
                ctx.note("rpo", rpo);
                ctx.log().notice(rpo);
            }
            ctx.evidence(new Evidence(host.ref(), "pg_is_in_recovery() before", inRecovery(r.before()), "(recorded)", true));
            ctx.evidence(new Evidence(host.ref(), "recovery point before promotion", rpo,
                    planned ? "nothing behind (planned mode)" : "(recorded: forced mode accepts a loss)",
                    !planned || measured.caughtUp()));
            return Applied.of((r.changed() ? "promoted; " + rpo : "already primary") + "; write check in transaction " + r.writeCheckXid());
        }

        /**
         * What a promotion now would lose, measured just before it: the old primary's view of this replica
         * ({@code pg_current_wal_lsn() - replay_lsn} and {@code replay_lag} in {@code pg_stat_replication}) when a
         * primary among the inventory's other DBMS hosts answers; otherwise what the replica itself knows (its
         * received and replayed positions, the age of its last replayed transaction), said as unknown.
         */
        /** How long a replica the old primary does not list at all may take to (re)appear before a planned promotion is refused. */
        static final Duration NOT_LISTED_GRACE = Duration.ofSeconds(10);

        /** What {@link #rpo} found: the text, whether an old primary answered, and whether nothing is behind. */
        record Rpo(String text, boolean primaryAnswered, boolean caughtUp, boolean alreadyPrimary, int serverVersionNum,
                   PgProbe replica) {
            static Rpo unknown(String text) {
                return new Rpo(text, false, false, false, 0, null);
            }
        }

        private Rpo rpo(ActionContext ctx) {
            // the other DBMS hosts are read while this one is: one round trip's wait, not two in turn
            List<FutureTask<PgProbe>> theirProbes = new ArrayList<>();
            for (int i = 0; i < others.size(); i++) {
                Host o = others.get(i);
                PostgresInstance oi = otherInstances.get(i);
                FutureTask<PgProbe> t = new FutureTask<>(() -> new PostgresPromoter(ctx.hosts().runner(o), oi, ctx.clock(),
                        d -> ctx.pause(d), Duration.ofSeconds(10)).probe());
                Thread th = new Thread(t, "drctl-rpo-" + o.ref());
                th.setDaemon(true);
                th.start();
                theirProbes.add(t);
            }
            PgProbe mine;
            try {
                mine = promoter(ctx).probe();
            } catch (Exception e) {
                theirProbes.forEach(t -> t.cancel(true));
                return Rpo.unknown("RPO not measured: cannot read the replica (" + e.getMessage() + ")");
            }
            if (mine.role() == PgRole.PRIMARY) {
                theirProbes.forEach(t -> t.cancel(true));
                return new Rpo("RPO not measured: already primary", false, true, true, mine.serverVersionNum(), mine);
            }
            try {
                return rpoFrom(ctx, mine, theirProbes);
            } finally {
                theirProbes.forEach(t -> t.cancel(true)); // those not read yet: an earlier primary answered
            }
        }

        private Rpo rpoFrom(ActionContext ctx, PgProbe mine, List<FutureTask<PgProbe>> theirProbes) {
            String replicaView = mine.replica().map(rs -> "received " + rs.receiveLsn().orElse("?") + ", replayed "
                    + rs.replayLsn().orElse("?") + rs.replayDelay().map(d -> ", last replayed transaction "
                    + d.toMillis() / 1000.0 + " s before promotion").orElse("")).orElse("no replica status");
            List<String> unanswered = new ArrayList<>();
            for (int i = 0; i < others.size(); i++) {
                Host o = others.get(i);
                try {
                    PgProbe theirs = probed(theirProbes.get(i));
                    if (theirs.role() != PgRole.PRIMARY) {
                        continue;
                    }
                    Optional<io.drctl.dbms.StandbyStatus> me = theirs.standbys().stream()
                            .filter(sb -> sb.clientAddr().equals(host.address())).findFirst();
                    if (me.isEmpty()) {
                        return new Rpo("RPO unknown: the primary " + o.ref() + " does not list " + host.ref() + " among its standbys; "
                                + "the replica " + replicaView, true, false, false, mine.serverVersionNum(), mine);
                    }
                    boolean zero = me.get().replayLagBytes().filter(b -> b == 0L).isPresent();
                    // the last reading before the promotion stands (a planned promotion reads until caught up)
                    me.get().replayLagBytes().ifPresent(b -> ctx.observe(Figure.of("rpo_bytes", b, "replica", host.ref())));
                    ctx.observe(Figure.of("rpo_seconds", me.get().replayLag().map(l -> l.toMillis() / 1000.0).orElse(0.0),
                            "replica", host.ref()));
                    return new Rpo("RPO " + me.get().replayLagBytes().map(b -> b + " bytes").orElse("? bytes")
                            + me.get().replayLag().map(l -> ", ≤ " + l.toMillis() / 1000.0 + " s").orElse(", 0 s (no replay lag)")
                            + " (the primary " + o.ref() + "'s position vs the replica's replay, just before promotion; "
                            + me.get().state() + ", " + me.get().syncState() + ")", true, zero, false, mine.serverVersionNum(), mine);
                } catch (Exception e) {
                    unanswered.add(o.ref() + ": " + e.getMessage());
                }
            }
            return new Rpo("RPO unknown: no old primary answered" + (unanswered.isEmpty() ? "" : " (" + String.join("; ", unanswered) + ")")
                    + "; the replica " + replicaView, false, false, false, mine.serverVersionNum(), mine);
        }

        /** What another DBMS host's probe found, its failure thrown as itself. */
        private static PgProbe probed(FutureTask<PgProbe> t) throws Exception {
            try {
                return t.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        }

        @Override
        public Verified verify(ActionContext ctx) throws Exception {
            PostgresPromoter p = promoter(ctx);
            PostgresPromoter.Writable w;
            try {
                w = p.writeCheckAndProbe(); // one client run: the write, then the role
            } catch (DbmsException e) {
                if (e.kind() == DbmsException.Kind.NOT_WRITABLE) {
                    PgProbe probe = call(p::probe);
                    ctx.evidence(new Evidence(host.ref(), "pg_is_in_recovery()", inRecovery(probe), "false",
                            probe.role() == PgRole.PRIMARY));
                    ctx.evidence(new Evidence(host.ref(), "write probe", "refused: " + e.getMessage(), "a write commits", false));
                    if (probe.role() != PgRole.PRIMARY) {
                        return Verified.failed(host.ref() + ": expected a primary, still in recovery");
                    }
                }
                throw StepFailure.of(e);
            }
            ctx.evidence(new Evidence(host.ref(), "pg_is_in_recovery()", inRecovery(w.probe()), "false",
                    w.probe().role() == PgRole.PRIMARY));
            ctx.evidence(new Evidence(host.ref(), "write probe", "committed in transaction " + w.xid(), "a write commits", true));
            if (w.probe().role() != PgRole.PRIMARY) {
                return Verified.failed(host.ref() + ": expected a primary, still in recovery");
            }
            return Verified.ok("primary, accepted a write (transaction " + w.xid() + ")");
        }

        @Override
        public Reverted revert(ActionContext ctx) {
            return Reverted.notRevertible("a promoted primary cannot become a replica again without re-seeding; "
                    + "failback re-seeds it with a command step");
        }
    }

    /** {@code pg_is_in_recovery()} as a probe read it, with a replica's WAL positions. */
    static String inRecovery(PgProbe p) {
        return p.role() == PgRole.PRIMARY ? "false (primary, " + p.standbys().size() + " standby(s))"
                : "true" + p.replica().map(r -> " (received " + r.receiveLsn().orElse("?") + ", replayed "
                + r.replayLsn().orElse("?") + ")").orElse("");
    }

}
