package io.drctl.orchestrator.steps.db;

import static io.drctl.orchestrator.config.yaml.Durations.Style.MEASURED;
import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.dbms.PgProbe;
import io.drctl.dbms.PgRole;
import io.drctl.dbms.PostgresInstance;
import io.drctl.dbms.PostgresPromoter;
import io.drctl.dbms.ReplicaStatus;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.HostCheck;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code db.replica}: read-only check of a DBMS's replication role (PostgreSQL, over SSH on the host).
 * With {@code expect: replica} (the default) it passes when the host is in recovery with a
 * <em>streaming</em> WAL receiver and within the lag bounds; with {@code expect: primary} when the host
 * accepts writes (is not in recovery). Changes nothing.
 *
 * <p>Lag, as the replica sees it:
 * <ul>
 *   <li>{@code maxLagBytes}: WAL received but not yet replayed ({@code pg_last_wal_receive_lsn() -
 *       pg_last_wal_replay_lsn()});</li>
 *   <li>{@code maxLag}: the age of the last replayed transaction, counted only while received WAL waits
 *       to be replayed. A streaming replica that has replayed everything it received has no lag, however
 *       long the primary has been idle (the raw age grows while the primary is idle, so it alone would
 *       fail every quiet standby).</li>
 * </ul>
 *
 * <p>Figures (whatever the verdict): {@code replica_streaming} (1/0) and, when the replica reports its
 * positions, {@code replica_lag_bytes} and {@code replica_lag_seconds} (the lag as bounded above: 0 when
 * everything received is replayed), each labelled {@code replica=<host ref>}.
 *
 * <pre>
 * - id: standby-replica
 *   type: db.replica
 *   hosts: "region=${standby} role=dbms"
 *   maxLag: 30s
 *   maxLagBytes: 16777216
 * </pre>
 */
public final class DbReplicaStepType extends DeclaredStepType {
    public DbReplicaStepType() {
        super("db.replica", Targets.HOSTS,
                "check (read-only) that the DBMS is a streaming replica within a lag bound, or a primary", List.of(
                        FieldSpec.oneOf("expect", false, List.of("replica", "primary"), "`replica` (default: a streaming replica) or `primary`"),
                        FieldSpec.optional("maxLag", FieldKind.DURATION,
                                "replica: largest age of the last replayed transaction while WAL waits to be replayed, e.g. 30s"),
                        FieldSpec.optional("maxLagBytes", FieldKind.INTEGER, "replica: most WAL bytes received but not replayed")
                                .between(0, Integer.MAX_VALUE),
                        DbAccess.SOCKET_DIR_FIELD));
    }

    @Override
    public void validate(StepSpec step, StepValidation v) {
        String expect = step.fields().optString("expect").orElse("replica");
        DbAccess.validateSocketDir(step, v);
        if (expect.equals("primary")) {
            for (String f : List.of("maxLag", "maxLagBytes")) {
                if (step.fields().has(f)) {
                    v.problem(f, "`" + f + "` bounds a replica's lag; it has no meaning with expect: primary",
                            "remove `" + f + "`, or expect: replica");
                }
            }
        }
        step.fields().duration("maxLag").ifPresent(d -> {
            if (d.isNegative()) {
                v.problem("maxLag", "maxLag must not be negative, found " + d);
            }
        });
        for (Host h : step.hosts()) {
            DbAccess.knownDbms(h, v, "checked");
        }
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion x) {
        boolean primary = step.fields().optString("expect").orElse("replica").equals("primary");
        Optional<Duration> maxLag = step.fields().duration("maxLag");
        Optional<Long> maxBytes = step.fields().integer("maxLagBytes").map(Integer::longValue);
        Optional<String> socketDir = step.fields().optString("socketDir");
        List<Action> out = new ArrayList<>();
        for (Host h : step.hosts()) {
            Bounds bounds = new Bounds(primary, maxLag, maxBytes);
            if (h.db().orElseThrow().isCommand()) {
                out.add(new CommandReplicaAction(h, io.drctl.orchestrator.steps.db.DbStepTypes.commandTarget(h, x),
                        h.db().get().templates().orElseThrow(), bounds));
                continue;
            }
            PostgresInstance instance = DbAccess.postgres(h, x.inventory(), socketDir);
            out.add(new ReplicaAction(h, instance, bounds));
        }
        return out;
    }

    /**
     * What a check expects.
     *
     * @param primary  expect a primary (else a streaming replica)
     * @param maxLag   replica: bound on the replay age while WAL waits to be replayed
     * @param maxBytes replica: bound on WAL received but not replayed
     */
    record Bounds(boolean primary, Optional<Duration> maxLag, Optional<Long> maxBytes) {
        String describe() {
            if (primary) {
                return "primary";
            }
            List<String> b = new ArrayList<>();
            maxLag.ifPresent(d -> b.add("lag <= " + Durations.format(d, MEASURED)));
            maxBytes.ifPresent(n -> b.add("replay gap <= " + n + " bytes"));
            return "streaming replica" + (b.isEmpty() ? "" : " (" + String.join(", ", b) + ")");
        }

        /** Decides a probe: empty when it passes, else what is wrong. */
        Optional<String> judge(PgProbe p) {
            if (primary) {
                return p.role() == PgRole.PRIMARY ? Optional.empty() : Optional.of("in recovery (a replica)");
            }
            if (p.role() != PgRole.REPLICA) {
                return Optional.of("a primary (not in recovery)");
            }
            ReplicaStatus r = p.replica().orElseThrow();
            if (!r.isStreaming()) {
                return Optional.of("not streaming (WAL receiver " + r.walReceiver().orElse("absent") + ")");
            }
            long gap = r.receiveReplayBytes().orElse(0L);
            if (maxBytes.isPresent() && gap > maxBytes.get()) {
                return Optional.of("replay gap " + gap + " bytes > " + maxBytes.get());
            }
            if (maxLag.isPresent() && gap > 0) {
                Duration lag = r.replayDelay().orElse(Duration.ZERO);
                if (lag.compareTo(maxLag.get()) > 0) {
                    return Optional.of("lag " + Durations.format(lag, MEASURED) + " > " + Durations.format(maxLag.get(), MEASURED)
                            + " (" + gap + " bytes waiting to be replayed)");
                }
            }
            return Optional.empty();
        }
    }

    /** The figures of a replica's probe (none for a primary). */
    static void observe(ActionContext ctx, Host host, PgProbe p) {
        if (p.role() != PgRole.REPLICA) {
            return;
        }
        ReplicaStatus r = p.replica().orElseThrow();
        ctx.observe(Figure.of("replica_streaming", r.isStreaming() ? 1 : 0, "replica", host.ref()));
        r.receiveReplayBytes().ifPresent(gap -> {
            ctx.observe(Figure.of("replica_lag_bytes", gap, "replica", host.ref()));
            Optional<Duration> lag = gap == 0 ? Optional.of(Duration.ZERO) : r.replayDelay();
            lag.ifPresent(d -> ctx.observe(Figure.of("replica_lag_seconds", d.toMillis() / 1000.0, "replica", host.ref())));
        });
    }

    static String describe(PgProbe p) {
        if (p.role() == PgRole.PRIMARY) {
            return "primary (" + p.standbys().size() + " standby(s) attached)";
        }
        ReplicaStatus r = p.replica().orElseThrow();
        long gap = r.receiveReplayBytes().orElse(0L);
        return "replica, WAL receiver " + r.walReceiver().orElse("absent") + ", replay gap " + gap + " bytes"
                + (gap > 0 ? r.replayDelay().map(d -> ", lag " + Durations.format(d, MEASURED)).orElse("") : ", lag 0")
                + r.replayLsn().map(l -> ", replayed to " + l).orElse("");
    }

    /**
     * The same check of a {@code kind: command} DBMS: its {@code role} template says replica (or primary), and its {@code lag}
     * template, when it has one, is within the bounds (a bound without a lag template cannot be checked: it fails).
     */
    static final class CommandReplicaAction extends HostCheck {
        private final io.drctl.dbms.CommandDbmsTarget target;
        private final io.drctl.dbms.CommandDbmsTemplates templates;
        private final Bounds bounds;

        CommandReplicaAction(Host host, io.drctl.dbms.CommandDbmsTarget target, io.drctl.dbms.CommandDbmsTemplates templates, Bounds bounds) {
            super(host);
            this.target = target;
            this.templates = templates;
            this.bounds = bounds;
        }

        @Override
        public String description() {
            return "check with its templates that the DBMS on " + host.ref() + " is a " + bounds.describe().replace("streaming replica", "replica");
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            io.drctl.dbms.CommandDbmsProbe p = call(() -> DbStepTypes.commandDbms(host, target, templates, ctx).probe());
            String current = p.role().name().toLowerCase(java.util.Locale.ROOT) + p.lag().map(l -> ", lag "
                    + l.bytes().map(b -> b + " bytes").orElse("? bytes") + l.delay().map(d -> " / " + Durations.format(d, MEASURED)).orElse("")).orElse("");
            if (p.role() == io.drctl.dbms.DbmsRole.REPLICA) {
                p.lag().flatMap(io.drctl.dbms.ReplicaLag::bytes)
                        .ifPresent(b -> ctx.observe(Figure.of("replica_lag_bytes", b, "replica", host.ref())));
                p.lag().flatMap(io.drctl.dbms.ReplicaLag::delay)
                        .ifPresent(d -> ctx.observe(Figure.of("replica_lag_seconds", d.toMillis() / 1000.0, "replica", host.ref())));
            }
            String want = bounds.describe();
            Optional<String> wrong;
            if (bounds.primary()) {
                wrong = p.role() == io.drctl.dbms.DbmsRole.PRIMARY ? Optional.empty() : Optional.of("not a primary");
            } else if (p.role() != io.drctl.dbms.DbmsRole.REPLICA) {
                wrong = Optional.of("not a replica (`role` said: " + p.detail() + ")");
            } else if ((bounds.maxBytes().isPresent() || bounds.maxLag().isPresent()) && templates.lag().isEmpty()) {
                wrong = Optional.of("a lag bound is set but the host has no `lag` template to read it");
            } else {
                Optional<Long> bytes = p.lag().flatMap(io.drctl.dbms.ReplicaLag::bytes);
                Optional<Duration> delay = p.lag().flatMap(io.drctl.dbms.ReplicaLag::delay);
                wrong = bounds.maxBytes().filter(m -> bytes.map(b -> b > m).orElse(true)).map(m -> "lag " + bytes.map(String::valueOf).orElse("?")
                        + " bytes > " + m)
                        .or(() -> bounds.maxLag().filter(m -> delay.map(d -> d.compareTo(m) > 0).orElse(false))
                                .map(m -> "lag " + Durations.format(delay.get(), MEASURED) + " > " + Durations.format(m, MEASURED)));
            }
            return wrong.isEmpty() ? Probe.satisfied(current, want) : Probe.needed(current + ": " + wrong.get(), want);
        }

    }

    static final class ReplicaAction extends HostCheck {
        private final PostgresInstance instance;
        private final Bounds bounds;

        ReplicaAction(Host host, PostgresInstance instance, Bounds bounds) {
            super(host);
            this.instance = instance;
            this.bounds = bounds;
        }

        @Override
        public String description() {
            return "check that PostgreSQL on " + host.ref() + " (" + instance.endpoint() + ") is a " + bounds.describe();
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            PgProbe p = call(() -> new PostgresPromoter(ctx.hosts().runner(host), instance, ctx.clock(), d -> ctx.pause(d),
                    Duration.ofSeconds(1)).probe());
            observe(ctx, host, p);
            Optional<String> wrong = bounds.judge(p);
            String current = describe(p);
            return wrong.isEmpty() ? Probe.satisfied(current, bounds.describe())
                    : Probe.needed(current + ": " + wrong.get(), bounds.describe());
        }

    }
}
