package io.drctl.dbms;

import static io.drctl.dbms.PgClient.opt;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.Sleeper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    /** A WAL record on the upstream that touches no table. Non-transactional: any role may emit it and it touches no table (before PostgreSQL 17 it reaches the replica with the next WAL flush). */
    static final String MARKER_SQL = "SELECT pg_logical_emit_message(false, 'drctl', 'rejoin replication proof')";

    private static final Logger log = LoggerFactory.getLogger(PostgresRejoiner.class);

    private final PostgresInstance db;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration pollInterval;
    private final PgClient pg;
    private final LocalServer server;
    private final DataDirectory data;

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
        this.db = Objects.requireNonNull(db, "db");
        Objects.requireNonNull(control, "control");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        this.pg = new PgClient(runner, db);
        this.server = new LocalServer(pg, control);
        this.data = new DataDirectory(pg, control);
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
        CommandResult status = server.status();
        switch (status.exitCode()) {
            case 0 -> {
            }
            case LocalServer.STATUS_STOPPED -> {
                return stateOnly(server.hasControlFile() ? StreamingCheck.State.STOPPED : StreamingCheck.State.NO_DATA_DIR);
            }
            case LocalServer.STATUS_NO_DATA_DIR -> {
                return stateOnly(StreamingCheck.State.NO_DATA_DIR);
            }
            default -> throw pg.classify(status, "pg_ctl status", pg.where());
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
        UpstreamServer source = new UpstreamServer(pg, upstream);
        UpstreamServer.Facts up = source.inspect();
        if (up.inRecovery() && !options.allowStandbyUpstream()) {
            throw new DbmsException(DbmsException.Kind.UPSTREAM_MISMATCH, target(), "upstream " + upstream.endpoint()
                    + " is in recovery (not a primary): rejoining " + db.name() + " to it could discard the latest "
                    + "writes of " + db.name() + "; promote the upstream first, or allow a standby upstream "
                    + "(cascading) explicitly. Nothing was changed on " + db.name());
        }
        if (upstream.slotName().isPresent() && !up.superuser() && !up.replication()) {
            throw new DbmsException(DbmsException.Kind.UPSTREAM_PRIVILEGE, target(), "role " + upstream.adminUser()
                    + " on upstream " + upstream.endpoint() + " may not create replication slot "
                    + upstream.slotName().get() + " (needs REPLICATION or superuser). Nothing was changed on "
                    + db.name());
        }
        Optional<ControlData> ctl = before.state() == StreamingCheck.State.NO_DATA_DIR
                ? Optional.empty() : Optional.of(server.controlData());
        RejoinMethod method = decide(upstream, options, up, ctl, notes);

        log.info("rejoining PostgreSQL {} ({}, {}) to {} by {}", db.name(), before.describe(), dataDir(),
                upstream.endpoint(), method);
        if (before.state() == StreamingCheck.State.PRIMARY || before.state() == StreamingCheck.State.REPLICA) {
            server.stop();
        }
        if (method == RejoinMethod.REWIND) {
            try {
                server.ensureCleanShutdown(server.controlData()); // read again: the stop above changed the state
                // a just-promoted upstream writes its new timeline to its control file only at the end-of-recovery
                // checkpoint, which is asynchronous: pg_rewind run before it sees one timeline, rewinds nothing, and
                // the old primary then waits forever on the wrong timeline. A checkpoint on the upstream settles it.
                source.query("CHECKPOINT");
                data.rewind(upstream, options, true);
                data.rewind(upstream, options, false);
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
            aside = data.basebackup(upstream, options, before.state() != StreamingCheck.State.NO_DATA_DIR, clock.instant());
            aside.ifPresent(p -> notes.add("the previous data directory was kept at " + p + " (delete it once "
                    + "the replica is verified)"));
        }
        if (upstream.slotName().isPresent()) {
            source.ensureSlot(notes);
        }
        data.writeStandbyConfig(upstream);
        server.start();
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
        List<String[]> m = new UpstreamServer(pg, upstream).query(MARKER_SQL);
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

    private RejoinMethod decide(UpstreamSpec upstream, RejoinOptions options, UpstreamServer.Facts up,
                                Optional<ControlData> ctl, List<String> notes) throws DbmsException {
        String noRewind;
        if (ctl.isEmpty()) {
            noRewind = "there is no data directory at " + dataDir() + " to rewind";
        } else if (!ctl.get().systemId().equals(up.systemId())) {
            String msg = "upstream " + upstream.endpoint() + " is another cluster (system identifier " + up.systemId()
                    + ", local " + ctl.get().systemId() + ")";
            if (!options.allowUnrelatedUpstream() || !options.allowBasebackup()) {
                throw new DbmsException(DbmsException.Kind.UPSTREAM_MISMATCH, target(), msg + ": refusing to "
                        + "re-seed " + db.name() + " (" + dataDir() + ") from it; check the upstream, or allow an "
                        + "unrelated upstream and pg_basebackup explicitly. Nothing was changed on " + db.name());
            }
            noRewind = msg;
        } else if (!ctl.get().rewindable()) {
            noRewind = "the cluster has neither data checksums nor wal_log_hints";
        } else if (!up.superuser() && !up.rewindGrants()) {
            noRewind = "role " + upstream.adminUser() + " on " + upstream.endpoint() + " is no superuser and lacks "
                    + "EXECUTE on pg_ls_dir, pg_stat_file and pg_read_binary_file";
        } else if (!up.fullPageWrites()) {
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
        return pg.query(pg.instanceConnection(), pg.where(), sql, PgClient.QUICK);
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
        return pg.dataDir();
    }

    private String target() {
        return pg.target();
    }

    private DbmsException unexpected(String expected, List<String[]> rows) {
        return pg.unexpected(expected, rows);
    }
}
