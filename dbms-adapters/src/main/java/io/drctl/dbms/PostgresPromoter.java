package io.drctl.dbms;

import static io.drctl.dbms.PgClient.opt;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.Shell;
import io.drctl.host.Sleeper;
import java.math.BigDecimal;
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
 * Probes and promotes a PostgreSQL replica through psql/pg_ctl run by a {@link CommandRunner} (SSH to the DBMS
 * host in production, {@link io.drctl.host.LocalCommandRunner} in tests).
 *
 * <p>Every client command has the form
 * {@code printf '%s\n' '<sql>' | runuser -u <osUser> -- <binDir>/psql -X -A -t -q -w -v ON_ERROR_STOP=1 -F <US>
 * -h <host> -p <port> -U <dbUser> -d 'dbname=<db> connect_timeout=<s>' -f -}: every value is validated by
 * {@link PostgresInstance} and passed as a single-quoted word; the SQL texts are constants of this class.
 *
 * <p>{@link #promote} is idempotent: a server that is already primary is not touched (outcome
 * {@link PromoteResult.Outcome#ALREADY_PRIMARY}). After promotion it polls {@code pg_is_in_recovery()} until
 * false and then proves the server accepts writes with {@link #WRITE_CHECK_SQL}.
 */
public final class PostgresPromoter {

    /**
     * The write check: one transaction that creates a temporary table, inserts into it and takes a transaction
     * id, then commits. It fails on a server in recovery or with {@code default_transaction_read_only}, needs
     * only the default TEMP privilege, writes a commit record to the WAL and leaves nothing behind
     * ({@code ON COMMIT DROP}) — chosen over a permanent {@code drctl_probe} table so the customer's schema is
     * never changed.
     */
    public static final String WRITE_CHECK_SQL = "BEGIN; "
            + "CREATE TEMP TABLE drctl_write_probe (at timestamptz) ON COMMIT DROP; "
            + "INSERT INTO drctl_write_probe VALUES (now()); "
            + "SELECT txid_current(); COMMIT;";

    /**
     * The probe in one client run: a {@code role} row (in recovery, server version), then on a replica one
     * {@code replica} row (received and replayed positions, their distance, replay age, WAL receiver status), and on
     * a primary a {@code standby} row per attached standby (name, address, state, sync state, replay distance and lag).
     */
    static final String PROBE_SQL = "SELECT 'role', pg_is_in_recovery(), current_setting('server_version_num'); "
            + "SELECT 'replica', pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), "
            + "pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint, "
            + "extract(epoch from now() - pg_last_xact_replay_timestamp()), "
            + "(SELECT status FROM pg_stat_wal_receiver LIMIT 1) WHERE pg_is_in_recovery(); "
            + "SELECT 'standby', application_name, coalesce(host(client_addr), 'local'), state, sync_state, "
            + "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, extract(epoch from replay_lag) "
            + "FROM pg_stat_replication WHERE NOT pg_is_in_recovery() ORDER BY application_name, client_addr";

    private static final Logger log = LoggerFactory.getLogger(PostgresPromoter.class);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);

    private final PostgresInstance db;
    private final PgClient pg;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration pollInterval;

    /**
     * @param runner       runs the client commands on (or near) the DBMS host
     * @param db           the server
     * @param clock        measures the promote timeout
     * @param sleeper      waits between recovery polls
     * @param pollInterval wait between polls of {@code pg_is_in_recovery()} after promotion
     */
    public PostgresPromoter(CommandRunner runner, PostgresInstance db, Clock clock, Sleeper sleeper,
                            Duration pollInterval) {
        this.db = Objects.requireNonNull(db, "db");
        this.pg = new PgClient(runner, db);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    }

    /** System clock, real sleeps, polls every 500 ms. */
    public static PostgresPromoter of(CommandRunner runner, PostgresInstance db) {
        return new PostgresPromoter(runner, db, Clock.systemUTC(), Sleeper.system(), Duration.ofMillis(500));
    }

    /** Read-only: role, and replication state (replica side, or the primary's attached standbys); one client run. */
    public PgProbe probe() throws DbmsException {
        return parseProbe(query(PROBE_SQL));
    }

    /** The probe's rows ({@link #PROBE_SQL}) as a {@link PgProbe}. */
    private PgProbe parseProbe(List<String[]> rows) throws DbmsException {
        String[] role = null;
        String[] replica = null;
        List<StandbyStatus> standbys = new ArrayList<>();
        for (String[] r : rows) {
            switch (r[0]) {
                case "role" -> role = r.length == 3 && role == null ? r : null;
                case "replica" -> replica = r.length == 6 && replica == null ? r : null;
                case "standby" -> {
                    if (r.length != 7) {
                        throw unexpected("7 columns of a standby row (pg_stat_replication)", List.<String[]>of(r));
                    }
                    standbys.add(new StandbyStatus(r[1], r[2], r[3], r[4], opt(r[5]).map(Long::parseLong),
                            opt(r[6]).map(PostgresPromoter::seconds)));
                }
                default -> throw unexpected("role, replica or standby rows", rows);
            }
        }
        if (role == null) {
            throw unexpected("one role row (in_recovery, version)", rows);
        }
        int version;
        try {
            version = Integer.parseInt(role[2]);
        } catch (NumberFormatException e) {
            throw unexpected("a numeric server_version_num", rows);
        }
        switch (role[1]) {
            case "t" -> {
                if (replica == null) {
                    throw unexpected("one row of replica status", rows);
                }
                ReplicaStatus rs = new ReplicaStatus(opt(replica[1]), opt(replica[2]), opt(replica[3]).map(Long::parseLong),
                        opt(replica[4]).map(PostgresPromoter::seconds), opt(replica[5]));
                return new PgProbe(db.name(), PgRole.REPLICA, version, Optional.of(rs), List.of());
            }
            case "f" -> {
                return new PgProbe(db.name(), PgRole.PRIMARY, version, Optional.empty(), standbys);
            }
            default -> throw new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, target(), "PostgreSQL "
                    + db.name() + " at " + db.endpoint() + " is neither primary nor replica: pg_is_in_recovery() "
                    + "answered '" + role[1] + "' (expected t or f)");
        }
    }

    /**
     * Promotes the replica to primary unless it already is one, then proves it accepts writes.
     *
     * @param method  {@code pg_promote()} over SQL, or {@code pg_ctl promote} (needs {@link PostgresInstance#dataDir()})
     * @param timeout how long the server may take to leave recovery
     * @throws DbmsException {@link DbmsException.Kind#PROMOTE_TIMEOUT} if it is still in recovery after
     *                       {@code timeout}; {@link DbmsException.Kind#NOT_WRITABLE} if out of recovery but the
     *                       write check fails; connection/client kinds as for {@link #probe()}
     */
    public PromoteResult promote(PromoteMethod method, Duration timeout) throws DbmsException {
        Objects.requireNonNull(method, "method");
        return promote(method, timeout, null);
    }

    /**
     * The same, with the server's state as the caller probed it just before ({@link #probe()}), so it is not read
     * twice in a row; {@code null}: probe it here.
     */
    public PromoteResult promote(PromoteMethod method, Duration timeout, PgProbe justProbed) throws DbmsException {
        Objects.requireNonNull(method, "method");
        if (method == PromoteMethod.PG_CTL && db.dataDir().isEmpty()) {
            throw new DbmsException(DbmsException.Kind.CONFIG, target(), "pg_ctl promote of " + db.name()
                    + " needs the data directory (dataDir) of the instance");
        }
        long seconds = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
        Instant start = clock.instant();
        PgProbe before = justProbed != null ? justProbed : probe();
        if (before.role() == PgRole.PRIMARY) {
            log.info("PostgreSQL {} at {} is already primary: nothing to promote", db.name(), db.endpoint());
            long xid = verifyWritable();
            return new PromoteResult(db.name(), PromoteResult.Outcome.ALREADY_PRIMARY, before, before, xid,
                    Duration.between(start, clock.instant()));
        }
        log.info("promoting PostgreSQL {} at {} with {} (replica status {})", db.name(), db.endpoint(), method,
                before.replica().orElseThrow());
        PromoteResult.Outcome outcome = PromoteResult.Outcome.PROMOTED;
        DbmsException promoteFailure = null;
        boolean waited = false; // pg_promote(true, ...) answered t, or pg_ctl promote -w succeeded: promotion is complete
        Instant deadline = clock.instant().plus(timeout);
        if (method == PromoteMethod.PG_PROMOTE) {
            try {
                // one client run: promote (waiting for the end of recovery), then the write check and the new primary's
                // probe; any failure (a promotion that did not finish, someone else promoted meanwhile) falls back to
                // polling the role below
                List<String[]> r = query("SELECT 'promoted', pg_promote(true, " + seconds + "); " + WRITE_CHECK_SQL + " "
                        + PROBE_SQL, timeout.plusSeconds(30));
                if (!r.isEmpty() && r.get(0).length == 2 && r.get(0)[0].equals("promoted") && r.get(0)[1].equals("t")) {
                    List<String[]> rest = r.subList(1, r.size());
                    long xid = writeCheckXid(rest);
                    PgProbe after = parseProbe(rest.stream().filter(x -> x.length > 1).toList());
                    if (after.role() == PgRole.PRIMARY) {
                        return new PromoteResult(db.name(), outcome, before, after, xid, Duration.between(start, clock.instant()));
                    }
                }
                log.warn("pg_promote on {} did not report a finished promotion within {} s", db.name(), seconds);
            } catch (DbmsException e) {
                // e.g. "recovery is not in progress" because someone else promoted meanwhile: the re-probe decides
                promoteFailure = e;
            }
        } else {
            String cmd = pg.runAs() + pg.bin("pg_ctl") + " promote -D " + Shell.quote(pg.dataDir()) + " -w -t " + seconds;
            CommandResult r = pg.run(cmd, timeout.plusSeconds(30));
            if (!r.succeeded()) {
                promoteFailure = pg.classify(r, "pg_ctl promote", pg.where());
            }
            waited = r.succeeded();
        }
        // when the promote call itself waited for the end of recovery, the write check below proves the role
        while (!waited) {
            PgRole role = roleOnly();
            if (role == PgRole.PRIMARY) {
                break;
            }
            if (promoteFailure != null && promoteFailure.kind() != DbmsException.Kind.QUERY_FAILED
                    && promoteFailure.kind() != DbmsException.Kind.COMMAND_FAILED) {
                throw promoteFailure;
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new DbmsException(DbmsException.Kind.PROMOTE_TIMEOUT, target(), "PostgreSQL " + db.name()
                        + " at " + db.endpoint() + ": expected to leave recovery within " + seconds + " s of "
                        + method + ", still in recovery" + (promoteFailure == null ? "" : " (promote said: "
                        + promoteFailure.getMessage() + ")"), promoteFailure);
            }
            sleep();
        }
        if (promoteFailure != null) {
            log.info("promote of {} reported '{}' but the server is primary now", db.name(), promoteFailure.getMessage());
            outcome = PromoteResult.Outcome.ALREADY_PRIMARY;
        }
        Writable after = writeCheckAndProbe();
        return new PromoteResult(db.name(), outcome, before, after.probe(), after.xid(), Duration.between(start, clock.instant()));
    }

    /**
     * Proves the server accepts writes by running {@link #WRITE_CHECK_SQL}.
     *
     * @return the transaction id the check was given
     * @throws DbmsException {@link DbmsException.Kind#NOT_WRITABLE} when the server refuses the write
     */
    public long verifyWritable() throws DbmsException {
        return writeCheckXid(writeCheck(WRITE_CHECK_SQL));
    }

    /** What {@link #writeCheckAndProbe} saw: the write check's transaction id, and the server's state after it. */
    public record Writable(long xid, PgProbe probe) {
    }

    /**
     * The write check ({@link #verifyWritable}) and then the probe ({@link #probe}), in one client run.
     *
     * @throws DbmsException {@link DbmsException.Kind#NOT_WRITABLE} when the server refuses the write (a replica does)
     */
    public Writable writeCheckAndProbe() throws DbmsException {
        List<String[]> rows = writeCheck(WRITE_CHECK_SQL + " " + PROBE_SQL);
        return new Writable(writeCheckXid(rows), parseProbe(rows.stream().filter(r -> r.length > 1).toList()));
    }

    /** Runs {@code sql}, which starts with the write check; a refusal is {@link DbmsException.Kind#NOT_WRITABLE}. */
    private List<String[]> writeCheck(String sql) throws DbmsException {
        try {
            return query(sql);
        } catch (DbmsException e) {
            if (e.kind() == DbmsException.Kind.QUERY_FAILED) {
                throw new DbmsException(DbmsException.Kind.NOT_WRITABLE, target(), "PostgreSQL " + db.name() + " at "
                        + db.endpoint() + " refused the write check (expected a writable primary): " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** The transaction id the write check printed (its only one-column row). */
    private long writeCheckXid(List<String[]> rows) throws DbmsException {
        for (int i = rows.size() - 1; i >= 0; i--) {
            String[] r = rows.get(i);
            if (r.length == 1 && r[0].matches("\\d+")) {
                return Long.parseLong(r[0]);
            }
        }
        throw unexpected("a transaction id from the write check", rows);
    }

    private PgRole roleOnly() throws DbmsException {
        List<String[]> r = query("SELECT pg_is_in_recovery()");
        String v = r.size() == 1 && r.get(0).length == 1 ? r.get(0)[0] : "";
        return switch (v) {
            case "t" -> PgRole.REPLICA;
            case "f" -> PgRole.PRIMARY;
            default -> throw unexpected("t or f from pg_is_in_recovery()", r);
        };
    }

    private void sleep() throws DbmsException {
        try {
            sleeper.sleep(pollInterval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DbmsException(DbmsException.Kind.INTERRUPTED, target(), "waiting for " + db.name()
                    + " to leave recovery interrupted", e);
        }
    }

    List<String[]> query(String sql) throws DbmsException {
        return query(sql, QUERY_TIMEOUT);
    }

    private List<String[]> query(String sql, Duration timeout) throws DbmsException {
        return pg.query(pg.instanceConnection(), pg.where(), sql, timeout);
    }

    /** The full psql command line for {@code sql}; package-private for tests of its quoting. */
    String psqlCommand(String sql) {
        return pg.psqlCommand(pg.instanceConnection(), sql);
    }

    private DbmsException unexpected(String expected, List<String[]> rows) {
        return pg.unexpected(expected, rows);
    }

    private String target() {
        return pg.target();
    }

    private static Duration seconds(String s) {
        BigDecimal micros = new BigDecimal(s).movePointRight(6);
        return Duration.ofNanos(micros.longValue() * 1000);
    }
}
