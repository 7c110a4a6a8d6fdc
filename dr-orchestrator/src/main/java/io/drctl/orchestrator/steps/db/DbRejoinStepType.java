package io.drctl.orchestrator.steps.db;

import static io.drctl.orchestrator.steps.support.AdapterCall.call;

import io.drctl.dbms.DbmsKind;
import io.drctl.dbms.PostgresInstance;
import io.drctl.dbms.PostgresRejoiner;
import io.drctl.dbms.RejoinOptions;
import io.drctl.dbms.RejoinResult;
import io.drctl.dbms.ReplicationProof;
import io.drctl.dbms.ServerControl;
import io.drctl.dbms.StreamingCheck;
import io.drctl.dbms.UpstreamSpec;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepValidation;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.support.DeclaredStepType;
import io.drctl.orchestrator.steps.support.HostAction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code db.rejoin}: the DBMS on each target host (a former primary) becomes a streaming replica of the
 * {@code upstream} host (the current primary), without a site script: {@code pg_rewind} when the cluster allows it
 * (data checksums or {@code wal_log_hints}), otherwise a fresh {@code pg_basebackup} (the old data directory is kept
 * aside); {@code standby.signal} and {@code primary_conninfo} written, the slot created when one is named. Proven by
 * {@code pg_stat_wal_receiver} streaming from the upstream and a WAL marker written on the upstream being replayed.
 * Idempotent: a replica already streaming from the upstream is left alone. Not revertible.
 *
 * <pre>
 * - id: rejoin-old
 *   type: db.rejoin
 *   hosts: "region=${from} role=dbms"        # the former primary
 *   upstream: "region=${to} role=dbms"       # the new primary (exactly one host)
 *   slot: drctl_region1                      # optional physical replication slot on the upstream
 * </pre>
 *
 * <p>Host facts come from the inventory's {@code db:} of both hosts: the target's data dir, OS user, bin dir, port
 * and socket dir, and the upstream's {@code replicationUser} (the role with REPLICATION the replica connects as).
 */
public final class DbRejoinStepType extends DeclaredStepType {
    public DbRejoinStepType() {
        super("db.rejoin", Targets.HOSTS,
                "make a former primary a streaming replica of the current primary (pg_rewind, else pg_basebackup), proven by replay", List.of(
                        FieldSpec.required("upstream", FieldKind.SELECTOR, "the current primary to stream from (exactly one host)"),
                        FieldSpec.optional("slot", FieldKind.STRING, "physical replication slot on the upstream (created when missing)"),
                        FieldSpec.optional("within", FieldKind.DURATION, "wait this long for streaming after the server starts (default 2m)"),
                        FieldSpec.optional("allowBasebackup", FieldKind.BOOLEAN,
                                "fall back to a full pg_basebackup when pg_rewind cannot be used (default true)"),
                        FieldSpec.optional("command", FieldKind.COMMAND, "a site's own re-seed command to run instead, on the host over SSH,"
                                + " as `<command> <upstream's region>` (empty: drctl's own rejoin)"),
                        FieldSpec.optional("check", FieldKind.COMMAND, "with `command`: run as `<check> <upstream's region>`; exit 0 = already"
                                + " streaming from it (nothing to do)")));
    }

    @Override
    public void validate(StepSpec step, StepValidation v) {
        List<Host> up = step.fields().hosts("upstream");
        if (up.size() != 1) {
            v.problem("upstream", "`upstream` must select exactly one host, selects " + up.size()
                    + (up.isEmpty() ? "" : " (" + String.join(", ", up.stream().map(Host::ref).toList()) + ")"),
                    "e.g. upstream: \"region=${to} role=dbms\"");
            return;
        }
        Host upstream = up.get(0);
        boolean siteCommand = step.fields().optString("command").filter(c -> !c.isBlank()).isPresent();
        if (siteCommand) {
            return; // the site's own procedure: drctl needs no DBMS facts of either host
        }
        if (upstream.db().map(Host.DbSpec::isCommand).orElse(false)) {
            v.problem("upstream", "host " + upstream.ref() + " is `kind: command`: db.rejoin drives PostgreSQL only",
                    "give the site's procedure as `command:` (and `check:`)");
            return;
        }
        if (upstream.db().flatMap(Host.DbSpec::replicationUser).isEmpty()) {
            v.problem("upstream", "host " + upstream.ref() + " declares no db.replicationUser (the role with REPLICATION"
                    + " a replica connects as)", "add db: { ..., replicationUser: replicator } to it in the inventory");
        }
        for (Host h : step.hosts()) {
            if (h.ref().equals(upstream.ref())) {
                v.problem("upstream", "host " + h.ref() + " cannot rejoin itself", "hosts: the former primary; upstream: the current one");
            } else if (h.db().map(Host.DbSpec::isCommand).orElse(false)) {
                v.problem("hosts", "host " + h.ref() + " is `kind: command`: db.rejoin drives PostgreSQL only",
                        "give the site's procedure as `command:` (and `check:`)");
            } else if (h.db().isEmpty() || DbmsKind.find(h.db().get().kind()).isEmpty()) {
                v.problem("hosts", "host " + h.ref() + " has no PostgreSQL `db:` section", "add db: { kind: postgresql, ... }");
            } else if (h.db().get().dataDir().isEmpty()) {
                v.problem("hosts", "db.rejoin needs db.dataDir on host " + h.ref(), "e.g. dataDir: /var/lib/postgresql/15/main");
            }
        }
        step.fields().optString("slot").ifPresent(s -> {
            if (!s.matches("[a-z0-9_]{1,63}")) {
                v.problem("slot", "slot '" + s + "' is not a replication slot name", "lower-case letters, digits and '_', at most 63");
            }
        });
    }

    @Override
    public List<Action> expand(StepSpec step, Expansion x) {
        Host upstreamHost = step.fields().hosts("upstream").get(0);
        Optional<String> command = step.fields().optString("command").filter(c -> !c.isBlank());
        Optional<String> check = step.fields().optString("check").filter(c -> !c.isBlank());
        if (command.isPresent()) {
            // the site's own procedure: no PostgreSQL facts are read (the DBMS may be of any kind)
            return step.hosts().stream().<Action>map(h -> new RejoinAction(h, null, upstreamHost, null, RejoinOptions.defaults(),
                    command, check)).toList();
        }
        PostgresInstance upstreamDb = DbAccess.postgres(upstreamHost, x.inventory(), Optional.empty());
        UpstreamSpec upstream = new UpstreamSpec(upstreamHost.address(), upstreamDb.port(),
                upstreamHost.db().flatMap(Host.DbSpec::replicationUser).orElseThrow(), upstreamDb.dbUser(),
                Optional.empty(), step.fields().optString("slot"));
        Duration within = step.fields().duration("within").orElse(Duration.ofMinutes(2));
        RejoinOptions defaults = RejoinOptions.defaults();
        RejoinOptions options = new RejoinOptions(within, defaults.transferTimeout(),
                step.fields().bool("allowBasebackup", true), defaults.allowUnrelatedUpstream(), defaults.allowStandbyUpstream(),
                defaults.restoreTargetWal());
        List<Action> out = new ArrayList<>();
        for (Host h : step.hosts()) {
            out.add(new RejoinAction(h, DbAccess.postgres(h, x.inventory(), Optional.empty()), upstreamHost, upstream, options,
                    command, check));
        }
        return out;
    }

    /**
     * @param db       the target's PostgreSQL; null when the site's {@code command} does the work (not read then)
     * @param upstream how the target connects to the upstream; null when the site's {@code command} does the work
     */
    record RejoinAction(Host host, PostgresInstance db, Host upstreamHost, UpstreamSpec upstream, RejoinOptions options,
                        Optional<String> command, Optional<String> check) implements HostAction.OverSsh {
        @Override
        public Set<Effect> effects() {
            return command.isPresent() ? Effect.all() : Set.of(Effect.DB_SERVICE, Effect.DB_ROLE);
        }

        /** The site's command line: its text as given (a runbook parameter of type command), then the region, quoted. */
        private String siteCommand(String base) {
            return base + " " + io.drctl.host.Shell.quote(upstreamHost.region());
        }

        private io.drctl.host.CommandResult runSite(ActionContext ctx, String base, Duration timeout) throws Exception {
            return ctx.hosts().runner(host).run(siteCommand(base), ctx.cancellation().remaining(timeout));
        }

        @Override
        public String description() {
            if (command.isPresent()) {
                return "re-seed " + host.ref() + " as a replica of " + upstreamHost.ref() + " with the site's command";
            }
            return "make PostgreSQL on " + host.ref() + " a streaming replica of " + upstreamHost.ref() + " (" + upstream.endpoint()
                    + " as " + upstream.replicationUser() + upstream.slotName().map(s -> ", slot " + s).orElse("")
                    + "): pg_rewind, else pg_basebackup";
        }

        /**
         * How the server is stopped and started: Debian's {@code pg_ctlcluster} for a packaged cluster (data dir
         * {@code /var/lib/postgresql/<version>/<cluster>}, configuration in /etc/postgresql), else pg_ctl on the data
         * dir, logging beside it (the server's own log settings still apply).
         */
        static ServerControl control(Path data) {
            java.util.regex.Matcher debian = java.util.regex.Pattern.compile("/var/lib/postgresql/(\\d+(?:\\.\\d)?)/([A-Za-z0-9_.-]+)")
                    .matcher(data.toString());
            if (debian.matches()) {
                return new ServerControl.PgCtlCluster(debian.group(1), debian.group(2));
            }
            return new ServerControl.PgCtl(Optional.empty(),
                    Optional.of(data.getParent() == null ? Path.of("/tmp/drctl-postgres.log") : data.getParent().resolve("postgres.log")), 60);
        }

        private PostgresRejoiner rejoiner(ActionContext ctx) throws Exception {
            ServerControl control = control(db.dataDir().orElseThrow());
            return new PostgresRejoiner(ctx.hosts().runner(host), db, control, ctx.clock(), d -> ctx.pause(d),
                    Duration.ofMillis(500));
        }

        @Override
        public Probe probe(ActionContext ctx) throws Exception {
            if (command.isPresent()) {
                if (check.isEmpty()) {
                    return Probe.unknown("the site's command has no check");
                }
                var r = runSite(ctx, check.get(), Duration.ofMinutes(1));
                String want = "replica of " + upstreamHost.ref() + " (site check exits 0)";
                return r.succeeded() ? Probe.satisfied(want, want) : Probe.needed("site check exit " + r.exitCode(), want);
            }
            StreamingCheck c = call(() -> rejoiner(ctx).check(upstream));
            String want = "replica streaming from " + upstreamHost.ref();
            return c.streamingFromUpstream() ? Probe.satisfied(want, want) : Probe.needed(describe(c), want);
        }

        private static String describe(StreamingCheck c) {
            return c.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + c.walReceiver().map(w -> ", WAL receiver " + w).orElse("")
                    + c.senderHost().map(s -> " from " + s + c.senderPort().map(p -> ":" + p).orElse("")).orElse("");
        }

        @Override
        public Applied apply(ActionContext ctx) throws Exception {
            if (command.isPresent()) {
                var r = runSite(ctx, command.get(), options.transferTimeout());
                if (!r.succeeded()) {
                    throw new StepFailure(host.ref() + ": the site's re-seed command exited " + r.exitCode() + ": " + r.lastLine(), false);
                }
                return new Applied("the site's re-seed command succeeded", r.stdout());
            }
            PostgresRejoiner r = rejoiner(ctx);
            // the transfers never outlive the step's own timeout
            RejoinOptions bounded = new RejoinOptions(options.streamTimeout(), ctx.cancellation().remaining(options.transferTimeout()),
                    options.allowBasebackup(), options.allowUnrelatedUpstream(), options.allowStandbyUpstream(), options.restoreTargetWal());
            RejoinResult result = call(() -> r.rejoin(upstream, bounded));
            result.notes().forEach(n -> ctx.log().notice(n));
            ReplicationProof proof = call(() -> r.proveReplication(upstream, options.streamTimeout()));
            ctx.evidence(new Evidence(host.ref(), "WAL marker written on " + upstreamHost.ref() + " at " + proof.markerLsn(),
                    "replayed here (replay position " + proof.replayLsn() + ")", "replayed here", true));
            return Applied.of((result.changed() ? "rejoined with " + result.method().name().toLowerCase(java.util.Locale.ROOT) : "already streaming")
                    + " from " + upstreamHost.ref() + " in " + result.elapsed().toMillis() + " ms; a WAL marker at " + proof.markerLsn()
                    + " written on the upstream was replayed here (" + proof.replayLsn() + ")");
        }

        @Override
        public Verified verify(ActionContext ctx) throws Exception {
            if (command.isPresent()) {
                if (check.isEmpty()) {
                    return Verified.byApply();
                }
                var r = runSite(ctx, check.get(), Duration.ofMinutes(1));
                ctx.evidence(new Evidence(host.ref(), "the site's check", "exited " + r.exitCode() + ": " + r.lastLine(), "exited 0",
                        r.succeeded()));
                return r.succeeded() ? Verified.ok("the site's check says it streams from " + upstreamHost.ref())
                        : Verified.failed(host.ref() + ": the site's check exited " + r.exitCode() + " after the re-seed: " + r.lastLine());
            }
            StreamingCheck c = call(() -> rejoiner(ctx).check(upstream));
            ctx.evidence(new Evidence(host.ref(), "replication from " + upstreamHost.ref(), describe(c),
                    "streaming from " + upstreamHost.ref(), c.streamingFromUpstream()));
            return c.streamingFromUpstream() ? Verified.ok("streaming from " + upstreamHost.ref() + " (" + describe(c) + ")")
                    : Verified.failed(host.ref() + ": expected a replica streaming from " + upstreamHost.ref() + ", found " + describe(c));
        }

        @Override
        public Reverted revert(ActionContext ctx) {
            return Reverted.notRevertible("a rejoined replica is the normal state; promote it to make it a primary again");
        }
    }
}
