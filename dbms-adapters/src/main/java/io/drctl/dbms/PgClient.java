package io.drctl.dbms;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Shell;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * PostgreSQL client commands on the DBMS host, run as the instance's OS user with its binaries: psql against any
 * server (the local one, or an upstream reached from this host), and exit-code classification. Every value reaching
 * a command line is validated by its record and passed single-quoted. The one psql runner of
 * {@link PostgresPromoter} and {@link PostgresRejoiner}.
 */
final class PgClient {

    static final String FIELD_SEP = "\u001f";
    static final int CONNECT_TIMEOUT_S = 10;
    /** For commands that answer at once: psql, pg_ctl status, file tests. */
    static final Duration QUICK = Duration.ofSeconds(60);

    private final CommandRunner runner;
    private final PostgresInstance db;

    PgClient(CommandRunner runner, PostgresInstance db) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.db = Objects.requireNonNull(db, "db");
    }

    String describe() {
        return runner.describe();
    }

    /** The server this client's commands are for. */
    PostgresInstance instance() {
        return db;
    }

    /** The instance as failures name it: {@code name (host:port)}. */
    String target() {
        return db.name() + " (" + db.endpoint() + ")";
    }

    /** The local server as messages place it: {@code name at host:port via <runner>}. */
    String where() {
        return db.name() + " at " + db.endpoint() + " via " + runner.describe();
    }

    /** {@code runuser -u <osUser> -- } or nothing. */
    String runAs() {
        return db.osUser().map(u -> "runuser -u " + Shell.quote(u) + " -- ").orElse("");
    }

    /** The quoted path of a PostgreSQL program. */
    String bin(String program) {
        return Shell.quote(db.binDir().map(d -> d.resolve(program).toString()).orElse(program));
    }

    /** The data directory; callers check {@link PostgresInstance#dataDir()} is set before. */
    String dataDir() {
        return db.dataDir().map(Path::toString).orElseThrow(() -> new IllegalStateException(
                db.name() + " has no data directory"));
    }

    /** psql's connection options for the instance: host, port and user as options, the database in a conninfo. */
    String instanceConnection() {
        return "-h " + Shell.quote(db.host()) + " -p " + db.port() + " -U " + Shell.quote(db.dbUser())
                + " -d " + Shell.quote("dbname=" + db.database() + " connect_timeout=" + CONNECT_TIMEOUT_S);
    }

    /** psql's connection options for any server by its conninfo (one single-quoted word). */
    static String byConninfo(String conninfo) {
        return "-d " + Shell.quote(conninfo);
    }

    /** psql with SQL on stdin (so an SQL error exits 3, which -c would report as 1), unaligned, tuples only. */
    String psqlCommand(String connection, String sql) {
        return "printf '%s\\n' " + Shell.quote(sql) + " | " + runAs() + bin("psql")
                + " -X -A -t -q -w -v ON_ERROR_STOP=1 -F " + Shell.quote(FIELD_SEP) + " " + connection + " -f -";
    }

    /**
     * Runs {@code sql} with psql and splits its output into rows of fields.
     *
     * @param connection psql's connection options ({@link #instanceConnection()}, {@link #byConninfo})
     * @param where      the server as failures name it
     */
    List<String[]> query(String connection, String where, String sql, Duration timeout) throws DbmsException {
        CommandResult r = run(psqlCommand(connection, sql), timeout);
        if (!r.succeeded()) {
            throw classify(r, "psql", where);
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isEmpty()) {
                rows.add(line.split(FIELD_SEP, -1));
            }
        }
        return rows;
    }

    CommandResult run(String cmd, Duration timeout) throws DbmsException {
        try {
            return runner.run(cmd, timeout);
        } catch (HostAccessException e) {
            throw new DbmsException(DbmsException.Kind.HOST_ACCESS, target(), "cannot run client commands for "
                    + db.name() + " on " + runner.describe() + " (" + e.kind() + "): " + e.getMessage(), e);
        }
    }

    /** Whether {@code cmd} exits 0 within {@link #QUICK}. */
    boolean succeeds(String cmd) throws DbmsException {
        return run(cmd, QUICK).succeeded();
    }

    /** Whether {@code path} exists on the host ({@code test -e}, as the instance's OS user). */
    boolean exists(String path) throws DbmsException {
        return succeeds(runAs() + "test -e " + Shell.quote(path));
    }

    /** Exit codes: sh/runuser 126/127 = program missing; psql 2 = connection, 3 = SQL error; else failure. */
    DbmsException classify(CommandResult r, String what, String where) {
        return switch (r.exitCode()) {
            case 126, 127 -> new DbmsException(DbmsException.Kind.CLIENT_MISSING, target(), what + " for " + where
                    + " cannot be run (exit " + r.exitCode() + ", is the PostgreSQL client installed"
                    + db.binDir().map(d -> " in " + d).orElse(" on PATH") + "?): " + r.lastLine());
            case 2 -> new DbmsException(DbmsException.Kind.CANNOT_CONNECT, target(), "cannot connect to PostgreSQL "
                    + where + ": " + r.lastLine());
            case 3 -> new DbmsException(DbmsException.Kind.QUERY_FAILED, target(), "SQL failed on PostgreSQL "
                    + where + ": " + r.lastLine());
            default -> new DbmsException(DbmsException.Kind.COMMAND_FAILED, target(), what + " for " + where
                    + " failed with exit " + r.exitCode() + ": " + r.lastLine());
        };
    }

    /** The server answered rows of another shape than {@code expected}. */
    DbmsException unexpected(String expected, List<String[]> rows) {
        List<String> seen = rows.stream().map(a -> String.join("|", Arrays.asList(a))).toList();
        return new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, target(), "PostgreSQL " + db.name() + " at "
                + db.endpoint() + ": expected " + expected + ", got " + seen);
    }

    /** psql prints SQL NULL as an empty field. */
    static Optional<String> opt(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}
