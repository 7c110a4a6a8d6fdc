package io.drctl.dbms;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * PostgreSQL client commands on the DBMS host, run as the instance's OS user with its binaries: psql against any
 * server (the local one, or an upstream reached from this host), and exit-code classification. Every value reaching
 * a command line is validated by its record and passed single-quoted.
 */
final class PgClient {

    static final String FIELD_SEP = "\u001f";
    static final int CONNECT_TIMEOUT_S = 10;

    private final CommandRunner runner;
    private final PostgresInstance db;

    PgClient(CommandRunner runner, PostgresInstance db) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.db = Objects.requireNonNull(db, "db");
    }

    String describe() {
        return runner.describe();
    }

    /** {@code runuser -u <osUser> -- } or nothing. */
    String runAs() {
        return db.osUser().map(u -> "runuser -u " + Shell.quote(u) + " -- ").orElse("");
    }

    /** The quoted path of a PostgreSQL program. */
    String bin(String program) {
        return Shell.quote(db.binDir().map(d -> d.resolve(program).toString()).orElse(program));
    }

    /** The local server's ordinary connection string. */
    String localConninfo() {
        return "host=" + db.host() + " port=" + db.port() + " user=" + db.dbUser() + " dbname=" + db.database()
                + " connect_timeout=" + CONNECT_TIMEOUT_S;
    }

    /** psql with SQL on stdin (so an SQL error exits 3), unaligned, tuples only, {@code conninfo} as one word. */
    String psqlCommand(String conninfo, String sql) {
        return "printf '%s\\n' " + Shell.quote(sql) + " | " + runAs() + bin("psql")
                + " -X -A -t -q -w -v ON_ERROR_STOP=1 -F " + Shell.quote(FIELD_SEP) + " -d " + Shell.quote(conninfo)
                + " -f -";
    }

    List<String[]> query(String conninfo, String where, String target, String sql, Duration timeout)
            throws DbmsException {
        CommandResult r = run(psqlCommand(conninfo, sql), timeout, target);
        if (!r.succeeded()) {
            throw classify(r, "psql", where, target);
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isEmpty()) {
                rows.add(line.split(FIELD_SEP, -1));
            }
        }
        return rows;
    }

    CommandResult run(String cmd, Duration timeout, String target) throws DbmsException {
        try {
            return runner.run(cmd, timeout);
        } catch (HostAccessException e) {
            throw new DbmsException(DbmsException.Kind.HOST_ACCESS, target, "cannot run client commands for "
                    + db.name() + " on " + runner.describe() + " (" + e.kind() + "): " + e.getMessage(), e);
        }
    }

    /** Exit codes: sh/runuser 126/127 = program missing; psql 2 = connection, 3 = SQL error; else failure. */
    DbmsException classify(CommandResult r, String what, String where, String target) {
        return switch (r.exitCode()) {
            case 126, 127 -> new DbmsException(DbmsException.Kind.CLIENT_MISSING, target, what + " for " + where
                    + " cannot be run (exit " + r.exitCode() + ", is the PostgreSQL client installed"
                    + db.binDir().map(d -> " in " + d).orElse(" on PATH") + "?): " + r.lastLine());
            case 2 -> new DbmsException(DbmsException.Kind.CANNOT_CONNECT, target, "cannot connect to PostgreSQL "
                    + where + ": " + r.lastLine());
            case 3 -> new DbmsException(DbmsException.Kind.QUERY_FAILED, target, "SQL failed on PostgreSQL "
                    + where + ": " + r.lastLine());
            default -> new DbmsException(DbmsException.Kind.COMMAND_FAILED, target, what + " for " + where
                    + " failed with exit " + r.exitCode() + ": " + r.lastLine());
        };
    }
}
