package io.drctl.dbms;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.Shell;
import io.drctl.host.Sleeper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a PostgreSQL server (normally the former primary, after a failover) a streaming replica of an upstream
 * (normally the new primary), through client commands run by a {@link CommandRunner} on the local DBMS host as the
 * instance's OS user — the failback counterpart of {@link PostgresPromoter}, with no site script.
 *
 * <p>{@link #rejoin} is idempotent: a server that already streams from the upstream is not touched. Otherwise:
 * <ol>
 *   <li>Pre-checks, before anything local changes: a replication connection to the upstream
 *       ({@code IDENTIFY_SYSTEM}: pg_hba and the REPLICATION attribute), an admin SQL connection (is the upstream a
 *       primary, may the role create slots and run pg_rewind), the local control file ({@code pg_controldata}:
 *       system identifier, data checksums, {@code wal_log_hints}, shutdown state). An upstream of another cluster or
 *       one still in recovery is refused unless the options allow it.</li>
 *   <li>Method: {@link RejoinMethod#REWIND} when the control file shows data checksums or {@code wal_log_hints=on}
 *       (what pg_rewind itself requires; a {@code SHOW wal_log_hints} could disagree until the next restart), the
 *       admin role may run pg_rewind and the clusters are the same; else {@link RejoinMethod#BASEBACKUP} (with a
 *       note saying why) when allowed.</li>
 *   <li>Stop the local server cleanly ({@link ServerControl#stopCommand}). For pg_rewind, a cluster not shut down
 *       cleanly gets crash recovery first: single-user mode ({@code postgres --single}, no client can connect
 *       and write), or a brief normal start and stop when it is a standby (single-user mode refuses standby mode).
 *       Then {@code pg_rewind --dry-run}, then the real run; a failing pg_rewind falls back to pg_basebackup when
 *       allowed.</li>
 *   <li>pg_basebackup: the data directory is moved to {@code <dataDir>.drctl-old-<UTC timestamp>} (never deleted),
 *       {@code pg_basebackup -R -X stream -c fast} fills a new one; if it fails, the partial copy is moved to
 *       {@code <dataDir>.drctl-failed-<timestamp>} and the old directory put back.</li>
 *   <li>Standby configuration: {@code standby.signal} and, in {@code postgresql.auto.conf}, every
 *       {@code primary_conninfo}/{@code primary_slot_name} line replaced by drctl's ({@link UpstreamSpec#primaryConninfo()},
 *       no password). Written as file lines because ALTER SYSTEM needs a running server and a server started
 *       before the lines exist would come up as a primary; pg_rewind/pg_basebackup's own {@code -R} output is
 *       replaced because it copies whatever the connection used, a password from .pgpass included.</li>
 *   <li>With a slot name: the physical slot is created on the upstream when missing (reserving WAL at once).</li>
 *   <li>Start ({@link ServerControl#startCommand}) and poll {@link #check} until the WAL receiver streams from the
 *       upstream, bounded by {@link RejoinOptions#streamTimeout()}.</li>
 * </ol>
 * Configuration files inside the data directory come from the upstream after either method (both copy them), as
 * with any replica made by pg_basebackup; Debian keeps them in {@code /etc} where neither touches them.
 */
public final class PostgresRejoiner {

    /** One row: in recovery, and the WAL receiver's pid, status, sender host/port and slot (NULLs when none). */
    static final String CHECK_SQL = "SELECT pg_is_in_recovery(), w.pid, w.status, w.sender_host, w.sender_port, "
            + "w.slot_name FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS w ON true";
    /** On the upstream as the admin role: in recovery, superuser, REPLICATION, pg_rewind's grants, full_page_writes. */
    static final String UPSTREAM_SQL = "SELECT pg_is_in_recovery(), r.rolsuper, r.rolreplication, "
            + "has_function_privilege('pg_catalog.pg_ls_dir(text, boolean, boolean)', 'EXECUTE') "
            + "AND has_function_privilege('pg_catalog.pg_stat_file(text, boolean)', 'EXECUTE') "
            + "AND has_function_privilege('pg_catalog.pg_read_binary_file(text)', 'EXECUTE') "
            + "AND has_function_privilege('pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)', 'EXECUTE'), "
            + "current_setting('full_page_writes') FROM pg_roles AS r WHERE r.rolname = current_user";
    static final String IDENTIFY_SYSTEM = "IDENTIFY_SYSTEM";
    /** A WAL record on the upstream that touches no table. Non-transactional: any role may emit it and it touches no table (before PostgreSQL 17 it reaches the replica with the next WAL flush). */
    static final String MARKER_SQL = "SELECT pg_logical_emit_message(false, 'drctl', 'rejoin replication proof')";

    private static final Logger log = LoggerFactory.getLogger(PostgresRejoiner.class);
    private static final Duration QUICK = Duration.ofSeconds(60);
    private static final Duration SERVER_CONTROL = Duration.ofMinutes(10);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final CommandRunner runner;
    private final PostgresInstance db;
    private final ServerControl control;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration pollInterval;
    private final PgClient pg;

    /**
     * @param runner       runs the commands on the local DBMS host (as root, or as the OS user itself)
     * @param db           the local server; {@link PostgresInstance#dataDir()} is required, {@code dbUser} must be
     *                     a superuser or hold {@code pg_read_all_stats} (to read {@code pg_stat_wal_receiver})
     * @param control      how the local server is started and stopped
     * @param clock        measures timeouts
     * @param sleeper      waits between polls
     * @param pollInterval wait between polls of the WAL receiver / replay position
     */
    public PostgresRejoiner(CommandRunner runner, PostgresInstance db, ServerControl control, Clock clock,
                            Sleeper sleeper, Duration pollInterval) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.db = Objects.requireNonNull(db, "db");
        this.control = Objects.requireNonNull(control, "control");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        this.pg = new PgClient(runner, db);
    }

    /** System clock, real sleeps, polls every 500 ms. */
    public static PostgresRejoiner of(CommandRunner runner, PostgresInstance db, ServerControl control) {
        return new PostgresRejoiner(runner, db, control, Clock.systemUTC(), Sleeper.system(), Duration.ofMillis(500));
    }

    /**
     * Read-only: whether the local server runs, its role, and where its WAL receiver streams from.
     *
     * @throws DbmsException {@link DbmsException.Kind#CONFIG} without a data directory or when {@code dbUser} cannot
     *                       read {@code pg_stat_wal_receiver}; {@link DbmsException.Kind#CANNOT_CONNECT} when the
     *                       server runs but refuses psql; client/host kinds as for {@link PostgresPromoter#probe()}
     */
    public StreamingCheck check(UpstreamSpec upstream) throws DbmsException {
        Objects.requireNonNull(upstream, "upstream");
        requireDataDir("check");
        String dataDir = dataDir();
        CommandResult status = pg.run(pg.runAs() + pg.bin("pg_ctl") + " status -D " + Shell.quote(dataDir), QUICK,
                target());
        switch (status.exitCode()) {
            case 0 -> {
            }
            case 3 -> {
                boolean hasControl = succeeds(pg.runAs() + "test -f " + Shell.quote(dataDir + "/global/pg_control"));
                return stateOnly(hasControl ? StreamingCheck.State.STOPPED : StreamingCheck.State.NO_DATA_DIR);
            }
            case 4 -> {
                return stateOnly(StreamingCheck.State.NO_DATA_DIR);
            }
            default -> throw pg.classify(status, "pg_ctl status", where(), target());
        }
        List<String[]> rows = localQuery(CHECK_SQL);
        if (rows.size() != 1 || rows.get(0).length != 6) {
            throw unexpected("one row (in_recovery, pid, status, sender_host, sender_port, slot_name)", rows);
        }
        String[] r = rows.get(0);
        if (r[0].equals("f")) {
            return stateOnly(StreamingCheck.State.PRIMARY);
        }
        if (!r[0].equals("t")) {
            throw unexpected("t or f from pg_is_in_recovery()", rows);
        }
        if (!r[1].isEmpty() && r[2].isEmpty()) {
            throw new DbmsException(DbmsException.Kind.CONFIG, target(), "PostgreSQL " + db.name() + " at "
                    + db.endpoint() + ": role " + db.dbUser() + " cannot read pg_stat_wal_receiver (a WAL receiver "
                    + "runs but its status is hidden): use a superuser or GRANT pg_read_all_stats TO " + db.dbUser());
        }
        Optional<String> status2 = opt(r[2]);
        Optional<String> host = opt(r[3]);
        Optional<Integer> port = opt(r[4]).map(Integer::valueOf);
        Optional<String> slot = opt(r[5]);
        boolean streaming = status2.filter("streaming"::equals).isPresent()
                && host.filter(h -> h.equalsIgnoreCase(upstream.host())).isPresent()
                && port.filter(p -> p == upstream.port()).isPresent()
                && (upstream.slotName().isEmpty() || upstream.slotName().equals(slot));
        return new StreamingCheck(db.name(), StreamingCheck.State.REPLICA, status2, host, port, slot, streaming);
    }

    /**
     * Makes the local server stream from {@code upstream}, unless it already does (then nothing is changed).
     *
     * @throws DbmsException before any local change: {@link DbmsException.Kind#REPLICATION_REFUSED} (no replication
     *                       connection), {@link DbmsException.Kind#CANNOT_CONNECT} (no admin connection),
     *                       {@link DbmsException.Kind#UPSTREAM_MISMATCH} (other cluster, or upstream in recovery),
     *                       {@link DbmsException.Kind#UPSTREAM_PRIVILEGE} (slot wanted, role may not create it),
     *                       {@link DbmsException.Kind#REWIND_FAILED} (pg_rewind impossible, basebackup not allowed);
     *                       after stopping the server (which is left stopped): {@link DbmsException.Kind#REWIND_FAILED},
     *                       {@link DbmsException.Kind#BASEBACKUP_FAILED} (old data directory put back),
     *                       {@link DbmsException.Kind#SERVER_CONTROL_FAILED}; after the start:
     *                       {@link DbmsException.Kind#REPLICATION_TIMEOUT}
     */
    public RejoinResult rejoin(UpstreamSpec upstream, RejoinOptions options) throws DbmsException {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(options, "options");
        requireDataDir("rejoin");
        Instant start = clock.instant();
        StreamingCheck before = check(upstream);
        if (before.streamingFromUpstream()) {
            log.info("PostgreSQL {} already streams from {}: nothing to rejoin", db.name(), upstream.endpoint());
            return new RejoinResult(db.name(), RejoinMethod.NONE, before, before, Optional.empty(), List.of(),
                    Duration.between(start, clock.instant()));
        }
        List<String> notes = new ArrayList<>();
        UpstreamFacts up = inspectUpstream(upstream);
        if (up.inRecovery && !options.allowStandbyUpstream()) {
            throw new DbmsException(DbmsException.Kind.UPSTREAM_MISMATCH, target(), "upstream " + upstream.endpoint()
                    + " is in recovery (not a primary): rejoining " + db.name() + " to it could discard the latest "
                    + "writes of " + db.name() + "; promote the upstream first, or allow a standby upstream "
                    + "(cascading) explicitly. Nothing was changed on " + db.name());
        }
        if (upstream.slotName().isPresent() && !up.superuser && !up.replication) {
            throw new DbmsException(DbmsException.Kind.UPSTREAM_PRIVILEGE, target(), "role " + upstream.adminUser()
                    + " on upstream " + upstream.endpoint() + " may not create replication slot "
                    + upstream.slotName().get() + " (needs REPLICATION or superuser). Nothing was changed on "
                    + db.name());
        }
        Optional<ControlData> ctl = before.state() == StreamingCheck.State.NO_DATA_DIR
                ? Optional.empty() : Optional.of(controlData());
        RejoinMethod method = decide(upstream, options, up, ctl, notes);

        log.info("rejoining PostgreSQL {} ({}, {}) to {} by {}", db.name(), before.describe(), dataDir(),
                upstream.endpoint(), method);
        if (before.state() == StreamingCheck.State.PRIMARY || before.state() == StreamingCheck.State.REPLICA) {
            stop();
        }
        if (method == RejoinMethod.REWIND) {
            try {
                ensureCleanShutdown(controlData()); // read again: the stop above changed the state
                // a just-promoted upstream writes its new timeline to its control file only at the end-of-recovery
                // checkpoint, which is asynchronous: pg_rewind run before it sees one timeline, rewinds nothing, and
                // the old primary then waits forever on the wrong timeline. A checkpoint on the upstream settles it.
                upstreamQuery(upstream, "CHECKPOINT");
                rewind(upstream, options, true);
                rewind(upstream, options, false);
            } catch (DbmsException e) {
                if (!options.allowBasebackup() || e.kind() == DbmsException.Kind.HOST_ACCESS) {
                    throw e;
                }
                notes.add("pg_rewind failed (" + e.getMessage() + "); falling back to pg_basebackup. pg_rewind "
                        + "needs the local WAL back to the last checkpoint before the timelines forked: keep it with "
                        + "wal_keep_size, or archive it and set restoreTargetWal");
                log.warn("{}: pg_rewind failed, falling back to pg_basebackup: {}", db.name(), e.getMessage());
                method = RejoinMethod.BASEBACKUP;
            }
        }
        Optional<Path> aside = Optional.empty();
        if (method == RejoinMethod.BASEBACKUP) {
            aside = basebackup(upstream, options, before.state() != StreamingCheck.State.NO_DATA_DIR);
            aside.ifPresent(p -> notes.add("the previous data directory was kept at " + p + " (delete it once "
                    + "the replica is verified)"));
        }
        if (upstream.slotName().isPresent()) {
            ensureSlot(upstream, notes);
        }
        writeStandbyConfig(upstream);
        startServer();
        StreamingCheck after = waitStreaming(upstream, options.streamTimeout());
        Duration elapsed = Duration.between(start, clock.instant());
        log.info("PostgreSQL {} streams from {} after {} ms ({})", db.name(), upstream.endpoint(), elapsed.toMillis(),
                method);
        return new RejoinResult(db.name(), method, before, after, aside, notes, elapsed);
    }

    /**
     * Proves that WAL written on the upstream now is replayed locally: writes a marker record on the upstream with
     * {@link #MARKER_SQL} (no table, nothing in the customer's schema; any role may call it) and polls
     * {@code pg_last_wal_replay_lsn()} here until it reaches the marker.
     *
     * @throws DbmsException {@link DbmsException.Kind#REPLICATION_TIMEOUT} if the marker is not replayed within
     *                       {@code timeout}
     */
    public ReplicationProof proveReplication(UpstreamSpec upstream, Duration timeout) throws DbmsException {
        Objects.requireNonNull(upstream, "upstream");
        Instant start = clock.instant();
        Instant deadline = start.plus(timeout);
        List<String[]> m = upstreamQuery(upstream, MARKER_SQL);
        String marker = m.size() == 1 && m.get(0).length == 1 ? m.get(0)[0] : "";
        if (!marker.matches("[0-9A-F]{1,8}/[0-9A-F]{1,8}")) {
            throw unexpected("an LSN from pg_logical_emit_message on " + upstream.endpoint(), m);
        }
        String last = "";
        while (true) {
            List<String[]> r = localQuery("SELECT pg_last_wal_replay_lsn(), "
                    + "coalesce(pg_last_wal_replay_lsn() >= '" + marker + "'::pg_lsn, false)");
            if (r.size() == 1 && r.get(0).length == 2) {
                last = r.get(0)[0];
                if (r.get(0)[1].equals("t")) {
                    return new ReplicationProof(marker, last, Duration.between(start, clock.instant()));
                }
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new DbmsException(DbmsException.Kind.REPLICATION_TIMEOUT, target(), "PostgreSQL " + db.name()
                        + " at " + db.endpoint() + ": expected to replay the marker written on " + upstream.endpoint()
                        + " at " + marker + " within " + timeout.toSeconds() + " s, replayed up to "
                        + (last.isEmpty() ? "nothing (not in recovery?)" : last));
            }
            sleep("the replay of " + marker);
        }
    }

    // --- decisions -------------------------------------------------------------------------------------------

    private RejoinMethod decide(UpstreamSpec upstream, RejoinOptions options, UpstreamFacts up,
                                Optional<ControlData> ctl, List<String> notes) throws DbmsException {
        String noRewind;
        if (ctl.isEmpty()) {
            noRewind = "there is no data directory at " + dataDir() + " to rewind";
        } else if (!ctl.get().systemId().equals(up.systemId)) {
            String msg = "upstream " + upstream.endpoint() + " is another cluster (system identifier " + up.systemId
                    + ", local " + ctl.get().systemId() + ")";
            if (!options.allowUnrelatedUpstream() || !options.allowBasebackup()) {
                throw new DbmsException(DbmsException.Kind.UPSTREAM_MISMATCH, target(), msg + ": refusing to "
                        + "re-seed " + db.name() + " (" + dataDir() + ") from it; check the upstream, or allow an "
                        + "unrelated upstream and pg_basebackup explicitly. Nothing was changed on " + db.name());
            }
            noRewind = msg;
        } else if (!ctl.get().rewindable()) {
            noRewind = "the cluster has neither data checksums nor wal_log_hints";
        } else if (!up.superuser && !up.rewindGrants) {
            noRewind = "role " + upstream.adminUser() + " on " + upstream.endpoint() + " is no superuser and lacks "
                    + "EXECUTE on pg_ls_dir, pg_stat_file and pg_read_binary_file";
        } else if (!up.fullPageWrites) {
            noRewind = "full_page_writes is off on " + upstream.endpoint();
        } else {
            return RejoinMethod.REWIND;
        }
        if (!options.allowBasebackup()) {
            throw new DbmsException(DbmsException.Kind.REWIND_FAILED, target(), "pg_rewind impossible for "
                    + db.name() + " (" + dataDir() + "): " + noRewind + ", and pg_basebackup is not allowed. "
                    + "Nothing was changed on " + db.name());
        }
        notes.add("pg_rewind not possible: " + noRewind + "; falling back to pg_basebackup");
        log.info("{}: pg_rewind not possible ({}); using pg_basebackup", db.name(), noRewind);
        return RejoinMethod.BASEBACKUP;
    }

    private UpstreamFacts inspectUpstream(UpstreamSpec upstream) throws DbmsException {
        String conn = upstream.primaryConninfo() + " dbname=replication replication=true connect_timeout="
                + PgClient.CONNECT_TIMEOUT_S;
        CommandResult r = pg.run(pg.psqlCommand(conn, IDENTIFY_SYSTEM), QUICK, target());
        if (r.exitCode() == 2) {
            throw new DbmsException(DbmsException.Kind.REPLICATION_REFUSED, target(), "could not open a replication"
                    + " connection to upstream " + upstream.endpoint() + " as role " + upstream.replicationUser()
                    + " from " + pg.describe() + " (the upstream is down or unreachable, or refuses it: it needs a 'host replication " + upstream.replicationUser()
                    + " <this host>' line in its pg_hba.conf, the REPLICATION attribute, and a password in the "
                    + "~/.pgpass of " + db.osUser().orElse("the runner's user") + " unless trusted): "
                    + r.lastLine() + ". Nothing was changed on " + db.name() + " (" + dataDir() + ")");
        }
        if (!r.succeeded()) {
            throw pg.classify(r, "psql (replication)", upstream.endpoint(), target());
        }
        String[] id = r.stdout().strip().split(PgClient.FIELD_SEP, -1);
        if (id.length < 2 || !id[0].matches("\\d+")) {
            throw new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, target(), "upstream " + upstream.endpoint()
                    + ": expected systemid|timeline from IDENTIFY_SYSTEM, got '" + r.stdout().strip() + "'");
        }
        List<String[]> rows = upstreamQuery(upstream, UPSTREAM_SQL);
        if (rows.size() != 1 || rows.get(0).length != 5) {
            throw unexpected("one row of upstream facts from " + upstream.endpoint(), rows);
        }
        String[] f = rows.get(0);
        return new UpstreamFacts(id[0], f[0].equals("t"), f[1].equals("t"), f[2].equals("t"), f[3].equals("t"),
                f[4].equals("on"));
    }

    private record UpstreamFacts(String systemId, boolean inRecovery, boolean superuser, boolean replication,
                                 boolean rewindGrants, boolean fullPageWrites) {
    }

    /** The local control file ({@code pg_controldata}, C locale). */
    record ControlData(String systemId, String clusterState, boolean checksums, boolean walLogHints) {
        boolean rewindable() {
            return checksums || walLogHints;
        }

        boolean cleanlyShutDown() {
            return clusterState.equals("shut down") || clusterState.equals("shut down in recovery");
        }

        static ControlData parse(String out) {
            Map<String, String> v = new HashMap<>();
            for (String line : out.split("\n")) {
                int c = line.indexOf(':');
                if (c > 0) {
                    v.put(line.substring(0, c).strip(), line.substring(c + 1).strip());
                }
            }
            String id = v.getOrDefault("Database system identifier", "");
            String state = v.getOrDefault("Database cluster state", "");
            String sums = v.getOrDefault("Data page checksum version", "");
            String hints = v.getOrDefault("wal_log_hints setting", "");
            if (!id.matches("\\d+") || state.isEmpty() || !sums.matches("\\d+") || hints.isEmpty()) {
                throw new IllegalArgumentException("pg_controldata output lacks system identifier, cluster state, "
                        + "checksum version or wal_log_hints");
            }
            return new ControlData(id, state, !sums.equals("0"), hints.equals("on"));
        }
    }

    ControlData controlData() throws DbmsException {
        CommandResult r = pg.run(pg.runAs() + "env LC_ALL=C " + pg.bin("pg_controldata") + " -D "
                + Shell.quote(dataDir()), QUICK, target());
        if (!r.succeeded()) {
            throw pg.classify(r, "pg_controldata", dataDir(), target());
        }
        try {
            return ControlData.parse(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, target(), "pg_controldata -D " + dataDir()
                    + " on " + pg.describe() + ": " + e.getMessage(), e);
        }
    }

    // --- local server ----------------------------------------------------------------------------------------

    private void stop() throws DbmsException {
        log.info("stopping PostgreSQL {} ({})", db.name(), dataDir());
        CommandResult r = pg.run(control.stopCommand(db), SERVER_CONTROL, target());
        if (!isStopped()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, target(), "could not stop PostgreSQL "
                    + db.name() + " (" + dataDir() + ") on " + pg.describe() + " with '" + control.stopCommand(db)
                    + "' (exit " + r.exitCode() + "): " + r.lastLine() + "; it still runs, nothing else was changed");
        }
    }

    private boolean isStopped() throws DbmsException {
        CommandResult s = pg.run(pg.runAs() + pg.bin("pg_ctl") + " status -D " + Shell.quote(dataDir()), QUICK,
                target());
        return s.exitCode() == 3;
    }

    private void startServer() throws DbmsException {
        log.info("starting PostgreSQL {} ({}) as a standby", db.name(), dataDir());
        CommandResult r = pg.run(control.startCommand(db), SERVER_CONTROL, target());
        if (!r.succeeded()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, target(), "could not start PostgreSQL "
                    + db.name() + " (" + dataDir() + ") as a standby on " + pg.describe() + " with '"
                    + control.startCommand(db) + "' (exit " + r.exitCode() + "): " + r.lastLine()
                    + "; see the server log. It is configured as a standby (standby.signal), so a manual start "
                    + "after fixing the cause is safe");
        }
    }

    /** The pg_rewind dance: a cluster not shut down cleanly gets crash recovery and a clean shutdown first. */
    private void ensureCleanShutdown(ControlData ctl) throws DbmsException {
        if (ctl.cleanlyShutDown()) {
            return;
        }
        log.info("{}: cluster state '{}', running crash recovery before pg_rewind", db.name(), ctl.clusterState());
        boolean standby = succeeds(pg.runAs() + "test -e " + Shell.quote(dataDir() + "/standby.signal"))
                || succeeds(pg.runAs() + "test -e " + Shell.quote(dataDir() + "/recovery.signal"));
        if (standby) {
            // single-user mode refuses standby mode; a standby accepts no writes, so a brief normal start is safe
            startServer();
            stop();
        } else {
            String cmd = pg.runAs() + pg.bin("postgres") + " --single -D " + Shell.quote(dataDir())
                    + control.configFile().map(f -> " -c " + Shell.quote("config_file=" + f)).orElse("")
                    + " postgres < /dev/null";
            CommandResult r = pg.run(cmd, SERVER_CONTROL, target());
            if (!r.succeeded()) {
                throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, target(), "crash recovery of "
                        + db.name() + " (" + dataDir() + ") in single-user mode failed (exit " + r.exitCode() + "): "
                        + r.lastLine());
            }
        }
        ControlData again = controlData();
        if (!again.cleanlyShutDown()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, target(), db.name() + " (" + dataDir()
                    + ") is still '" + again.clusterState() + "' after crash recovery; pg_rewind needs a clean "
                    + "shutdown");
        }
    }

    private void rewind(UpstreamSpec upstream, RejoinOptions options, boolean dryRun) throws DbmsException {
        String cmd = rewindCommand(upstream, options, dryRun);
        log.info("{}: pg_rewind{} from {}", db.name(), dryRun ? " --dry-run" : "", upstream.endpoint());
        CommandResult r = pg.run(cmd, options.transferTimeout(), target());
        if (!r.succeeded()) {
            throw new DbmsException(DbmsException.Kind.REWIND_FAILED, target(), "pg_rewind" + (dryRun ? " --dry-run" : "")
                    + " of " + db.name() + " (" + dataDir() + ") from " + upstream.endpoint() + " failed (exit "
                    + r.exitCode() + "): " + r.lastLine() + (dryRun ? " (nothing was changed by it)"
                    : " (the data directory may be inconsistent: re-seed it)"));
        }
    }

    /** Package-private for tests of its quoting. */
    String rewindCommand(UpstreamSpec upstream, RejoinOptions options, boolean dryRun) {
        return pg.runAs() + "env LC_ALL=C " + pg.bin("pg_rewind") + " --target-pgdata=" + Shell.quote(dataDir())
                + " --source-server=" + Shell.quote(upstream.sqlConninfo(upstream.adminUser(), PgClient.CONNECT_TIMEOUT_S))
                + control.configFile().map(f -> " --config-file=" + Shell.quote(f.toString())).orElse("")
                + (options.restoreTargetWal() ? " --restore-target-wal" : "") + (dryRun ? " --dry-run" : "");
    }

    /** Package-private for tests of its quoting. */
    String basebackupCommand(UpstreamSpec upstream) {
        return pg.runAs() + pg.bin("pg_basebackup") + " -D " + Shell.quote(dataDir()) + " -d "
                + Shell.quote(upstream.primaryConninfo() + " connect_timeout=" + PgClient.CONNECT_TIMEOUT_S)
                + " -R -X stream -c fast -w" + upstream.slotName().map(s -> " -S " + Shell.quote(s)).orElse("");
    }

    /** Moves the data directory aside (if any), runs pg_basebackup; on failure puts the old directory back. */
    private Optional<Path> basebackup(UpstreamSpec upstream, RejoinOptions options, boolean hasDataDir)
            throws DbmsException {
        String stamp = STAMP.format(clock.instant());
        String dir = dataDir();
        Optional<Path> aside = Optional.empty();
        if (hasDataDir || succeeds(pg.runAs() + "test -e " + Shell.quote(dir))) {
            String old = dir + ".drctl-old-" + stamp;
            move(dir, old, "move the data directory aside (is its parent writable by "
                    + db.osUser().orElse("the runner's user") + "?)");
            aside = Optional.of(Path.of(old));
        }
        log.info("{}: pg_basebackup from {} into {}", db.name(), upstream.endpoint(), dir);
        CommandResult r = pg.run(basebackupCommand(upstream), options.transferTimeout(), target());
        if (!r.succeeded()) {
            String failed = dir + ".drctl-failed-" + stamp;
            StringBuilder restored = new StringBuilder();
            try {
                if (succeeds(pg.runAs() + "test -e " + Shell.quote(dir))) {
                    move(dir, failed, "move the partial copy aside");
                    restored.append("the partial copy is at ").append(failed).append("; ");
                }
                if (aside.isPresent()) {
                    move(aside.get().toString(), dir, "put the old data directory back");
                    // a former primary's data: never let it start as a writable primary by accident
                    succeeds(pg.runAs() + "touch " + Shell.quote(dir + "/standby.signal"));
                    restored.append("the old data directory is back at ").append(dir).append(" with standby.signal (it starts only as a replica)");
                }
            } catch (DbmsException e) {
                restored.append("restoring failed: ").append(e.getMessage());
            }
            throw new DbmsException(DbmsException.Kind.BASEBACKUP_FAILED, target(), "pg_basebackup of " + db.name()
                    + " from " + upstream.endpoint() + " into " + dir + " failed (exit " + r.exitCode() + "): "
                    + r.lastLine() + "; " + restored + ". The server is stopped");
        }
        return aside;
    }

    private void move(String from, String to, String what) throws DbmsException {
        CommandResult r = pg.run(pg.runAs() + "sh -c " + Shell.quote("test ! -e " + Shell.quote(to) + " && mv -- "
                + Shell.quote(from) + " " + Shell.quote(to)), QUICK, target());
        if (!r.succeeded()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, target(), "could not " + what + ": mv "
                    + from + " " + to + " on " + pg.describe() + " failed (exit " + r.exitCode() + "): " + r.lastLine());
        }
    }

    /** Package-private for tests: the script that writes standby.signal and the primary_* lines. */
    String standbyConfigCommand(UpstreamSpec upstream) {
        String dir = dataDir();
        List<String> lines = new ArrayList<>();
        lines.add("primary_conninfo = '" + upstream.primaryConninfo() + "'");
        upstream.slotName().ifPresent(s -> lines.add("primary_slot_name = '" + s + "'"));
        String conf = Shell.quote(dir + "/postgresql.auto.conf");
        String tmp = Shell.quote(dir + "/postgresql.auto.conf.drctl-tmp");
        StringBuilder printf = new StringBuilder("printf '%s\\n'");
        for (String l : lines) {
            printf.append(' ').append(Shell.quote(l));
        }
        String script = "set -e; { if [ -f " + conf + " ]; then grep -v -E "
                + Shell.quote("^[[:space:]]*(primary_conninfo|primary_slot_name)[[:space:]]*=") + " " + conf
                + " || true; fi; " + printf + "; } > " + tmp + "; chmod 600 " + tmp + "; mv -f -- " + tmp + " " + conf
                + "; touch " + Shell.quote(dir + "/standby.signal");
        return pg.runAs() + "sh -c " + Shell.quote(script);
    }

    private void writeStandbyConfig(UpstreamSpec upstream) throws DbmsException {
        CommandResult r = pg.run(standbyConfigCommand(upstream), QUICK, target());
        if (!r.succeeded()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, target(), "could not write "
                    + "standby.signal and primary_conninfo into " + dataDir() + " on " + pg.describe() + " (exit "
                    + r.exitCode() + "): " + r.lastLine() + ". The server is stopped");
        }
    }

    private void ensureSlot(UpstreamSpec upstream, List<String> notes) throws DbmsException {
        String slot = upstream.slotName().orElseThrow();
        List<String[]> r = upstreamQuery(upstream, "SELECT slot_type FROM pg_replication_slots WHERE slot_name = '"
                + slot + "'");
        if (r.isEmpty()) {
            upstreamQuery(upstream, "SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            notes.add("created physical replication slot " + slot + " on " + upstream.endpoint());
        } else if (r.get(0).length == 1 && r.get(0)[0].equals("physical")) {
            notes.add("reused physical replication slot " + slot + " on " + upstream.endpoint());
        } else {
            throw new DbmsException(DbmsException.Kind.UPSTREAM_MISMATCH, target(), "replication slot " + slot
                    + " on " + upstream.endpoint() + " exists but is not physical (" + Arrays.toString(r.get(0))
                    + "); choose another slot name");
        }
    }

    private StreamingCheck waitStreaming(UpstreamSpec upstream, Duration timeout) throws DbmsException {
        Instant deadline = clock.instant().plus(timeout);
        String last = "not checked";
        while (true) {
            try {
                StreamingCheck c = check(upstream);
                if (c.streamingFromUpstream()) {
                    return c;
                }
                last = c.describe();
            } catch (DbmsException e) {
                if (e.kind() != DbmsException.Kind.CANNOT_CONNECT) {
                    throw e;
                }
                last = e.getMessage(); // still starting up
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new DbmsException(DbmsException.Kind.REPLICATION_TIMEOUT, target(), "PostgreSQL " + db.name()
                        + " (" + dataDir() + ") was expected to stream from " + upstream.endpoint() + " within "
                        + timeout.toSeconds() + " s of its start, last seen: " + last + ". It runs as a standby; "
                        + "see its log (pg_hba on the upstream, WAL already removed there, slot in use)");
            }
            sleep("streaming from " + upstream.endpoint());
        }
    }

    // --- plumbing --------------------------------------------------------------------------------------------

    private List<String[]> localQuery(String sql) throws DbmsException {
        return pg.query(pg.localConninfo(), where(), target(), sql, QUICK);
    }

    private List<String[]> upstreamQuery(UpstreamSpec upstream, String sql) throws DbmsException {
        return pg.query(upstream.sqlConninfo(upstream.adminUser(), PgClient.CONNECT_TIMEOUT_S),
                "upstream " + upstream.endpoint() + " (role " + upstream.adminUser() + ") via " + pg.describe(),
                target(), sql, QUICK);
    }

    private boolean succeeds(String cmd) throws DbmsException {
        return pg.run(cmd, QUICK, target()).succeeded();
    }

    private StreamingCheck stateOnly(StreamingCheck.State state) {
        return new StreamingCheck(db.name(), state, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), false);
    }

    private void sleep(String what) throws DbmsException {
        try {
            sleeper.sleep(pollInterval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DbmsException(DbmsException.Kind.INTERRUPTED, target(), "waiting for " + what + " on "
                    + db.name() + " interrupted", e);
        }
    }

    private void requireDataDir(String what) throws DbmsException {
        if (db.dataDir().isEmpty()) {
            throw new DbmsException(DbmsException.Kind.CONFIG, target(), what + " of " + db.name()
                    + " needs the data directory (dataDir) of the instance");
        }
    }

    private String dataDir() {
        return db.dataDir().map(Path::toString).orElseThrow(() -> new IllegalStateException(
                db.name() + " has no data directory"));
    }

    private String where() {
        return db.name() + " at " + db.endpoint() + " via " + pg.describe();
    }

    private String target() {
        return db.name() + " (" + db.endpoint() + ")";
    }

    private DbmsException unexpected(String expected, List<String[]> rows) {
        List<String> seen = rows.stream().map(a -> String.join("|", Arrays.asList(a))).toList();
        return new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, target(), "PostgreSQL " + db.name() + " at "
                + db.endpoint() + ": expected " + expected + ", got " + seen);
    }

    private static Optional<String> opt(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}
