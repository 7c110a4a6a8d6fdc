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

    static final String ROLE_SQL = "SELECT pg_is_in_recovery(), current_setting('server_version_num')";
    static final String REPLICA_SQL = "SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), "
            + "pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint, "
            + "extract(epoch from now() - pg_last_xact_replay_timestamp()), "
            + "(SELECT status FROM pg_stat_wal_receiver LIMIT 1)";
    static final String STANDBYS_SQL = "SELECT application_name, coalesce(host(client_addr), 'local'), state, "
            + "sync_state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, extract(epoch from replay_lag) "
            + "FROM pg_stat_replication ORDER BY application_name, client_addr";

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

    /** Read-only: role, and replication state (replica side, or the primary's attached standbys). */
    public PgProbe probe() throws DbmsException {
        List<String[]> rows = query(ROLE_SQL);
        if (rows.size() != 1 || rows.get(0).length != 2) {
            throw unexpected("one row (in_recovery, version)", rows);
        }
        String[] r = rows.get(0);
        int version;
        try {
            version = Integer.parseInt(r[1]);
        } catch (NumberFormatException e) {
            throw unexpected("a numeric server_version_num", rows);
        }
        switch (r[0]) {
            case "t" -> {
                List<String[]> rr = query(REPLICA_SQL);
                if (rr.size() != 1 || rr.get(0).length != 5) {
                    throw unexpected("one row of replica status", rr);
                }
                String[] x = rr.get(0);
                ReplicaStatus rs = new ReplicaStatus(opt(x[0]), opt(x[1]), opt(x[2]).map(Long::parseLong),
                        opt(x[3]).map(PostgresPromoter::seconds), opt(x[4]));
                return new PgProbe(db.name(), PgRole.REPLICA, version, Optional.of(rs), List.of());
            }
            case "f" -> {
                List<StandbyStatus> standbys = new ArrayList<>();
                for (String[] s : query(STANDBYS_SQL)) {
                    if (s.length != 6) {
                        throw unexpected("6 columns of pg_stat_replication", List.<String[]>of(s));
                    }
                    standbys.add(new StandbyStatus(s[0], s[1], s[2], s[3], opt(s[4]).map(Long::parseLong),
                            opt(s[5]).map(PostgresPromoter::seconds)));
                }
                return new PgProbe(db.name(), PgRole.PRIMARY, version, Optional.empty(), standbys);
            }
            default -> throw new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, target(), "PostgreSQL "
                    + db.name() + " at " + db.endpoint() + " is neither primary nor replica: pg_is_in_recovery() "
                    + "answered '" + r[0] + "' (expected t or f)");
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
        if (method == PromoteMethod.PG_CTL && db.dataDir().isEmpty()) {
            throw new DbmsException(DbmsException.Kind.CONFIG, target(), "pg_ctl promote of " + db.name()
                    + " needs the data directory (dataDir) of the instance");
        }
        long seconds = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
        Instant start = clock.instant();
        PgProbe before = probe();
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
        Instant deadline = clock.instant().plus(timeout);
        if (method == PromoteMethod.PG_PROMOTE) {
            try {
                List<String[]> r = query("SELECT pg_promote(true, " + seconds + ")", timeout.plusSeconds(30));
                if (!r.isEmpty() && r.get(0).length == 1 && r.get(0)[0].equals("f")) {
                    log.warn("pg_promote on {} reported it did not finish within {} s", db.name(), seconds);
                }
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
        }
        while (true) {
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
        long xid = verifyWritable();
        PgProbe after = probe();
        return new PromoteResult(db.name(), outcome, before, after, xid, Duration.between(start, clock.instant()));
    }

    /**
     * Proves the server accepts writes by running {@link #WRITE_CHECK_SQL}.
     *
     * @return the transaction id the check was given
     * @throws DbmsException {@link DbmsException.Kind#NOT_WRITABLE} when the server refuses the write
     */
    public long verifyWritable() throws DbmsException {
        List<String[]> rows;
        try {
            rows = query(WRITE_CHECK_SQL);
        } catch (DbmsException e) {
            if (e.kind() == DbmsException.Kind.QUERY_FAILED) {
                throw new DbmsException(DbmsException.Kind.NOT_WRITABLE, target(), "PostgreSQL " + db.name() + " at "
                        + db.endpoint() + " refused the write check (expected a writable primary): " + e.getMessage(), e);
            }
            throw e;
        }
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
