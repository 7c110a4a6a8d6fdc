package io.drctl.dbms;

import io.drctl.host.CommandResult;
import io.drctl.host.Shell;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local server's lifecycle during a rejoin: {@code pg_ctl status}, a clean stop and start through its
 * {@link ServerControl}, crash recovery before pg_rewind, and its control file.
 *
 * @param pg      runs the commands on the local DBMS host, for the local server
 * @param control how the server is started and stopped
 */
record LocalServer(PgClient pg, ServerControl control) {

    static final Duration SERVER_CONTROL = Duration.ofMinutes(10);
    /** {@code pg_ctl status}: no server runs. */
    static final int STATUS_STOPPED = 3;
    /** {@code pg_ctl status}: no accessible data directory. */
    static final int STATUS_NO_DATA_DIR = 4;

    private static final Logger log = LoggerFactory.getLogger(PostgresRejoiner.class); // the rejoin's one log category

    /** The local server. */
    private PostgresInstance db() {
        return pg.instance();
    }

    /** {@code pg_ctl status}: exit 0 runs, {@link #STATUS_STOPPED}, {@link #STATUS_NO_DATA_DIR}. */
    CommandResult status() throws DbmsException {
        return pg.run(pg.runAs() + pg.bin("pg_ctl") + " status -D " + Shell.quote(pg.dataDir()), PgClient.QUICK);
    }

    /** Whether the data directory holds a control file, i.e. a cluster. */
    boolean hasControlFile() throws DbmsException {
        return pg.succeeds(pg.runAs() + "test -f " + Shell.quote(pg.dataDir() + "/global/pg_control"));
    }

    void stop() throws DbmsException {
        log.info("stopping PostgreSQL {} ({})", db().name(), pg.dataDir());
        CommandResult r = pg.run(control.stopCommand(db()), SERVER_CONTROL);
        if (status().exitCode() != STATUS_STOPPED) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, pg.target(), "could not stop PostgreSQL "
                    + db().name() + " (" + pg.dataDir() + ") on " + pg.describe() + " with '" + control.stopCommand(db())
                    + "' (exit " + r.exitCode() + "): " + r.lastLine() + "; it still runs, nothing else was changed");
        }
    }

    void start() throws DbmsException {
        log.info("starting PostgreSQL {} ({}) as a standby", db().name(), pg.dataDir());
        CommandResult r = pg.run(control.startCommand(db()), SERVER_CONTROL);
        if (!r.succeeded()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, pg.target(), "could not start PostgreSQL "
                    + db().name() + " (" + pg.dataDir() + ") as a standby on " + pg.describe() + " with '"
                    + control.startCommand(db()) + "' (exit " + r.exitCode() + "): " + r.lastLine()
                    + "; see the server log. It is configured as a standby (standby.signal), so a manual start "
                    + "after fixing the cause is safe");
        }
    }

    /** The pg_rewind dance: a cluster not shut down cleanly gets crash recovery and a clean shutdown first. */
    void ensureCleanShutdown(ControlData ctl) throws DbmsException {
        if (ctl.cleanlyShutDown()) {
            return;
        }
        log.info("{}: cluster state '{}', running crash recovery before pg_rewind", db().name(), ctl.clusterState());
        String dataDir = pg.dataDir();
        if (pg.exists(dataDir + "/standby.signal") || pg.exists(dataDir + "/recovery.signal")) {
            // single-user mode refuses standby mode; a standby accepts no writes, so a brief normal start is safe
            start();
            stop();
        } else {
            String cmd = pg.runAs() + pg.bin("postgres") + " --single -D " + Shell.quote(dataDir)
                    + control.configFile().map(f -> " -c " + Shell.quote("config_file=" + f)).orElse("")
                    + " postgres < /dev/null";
            CommandResult r = pg.run(cmd, SERVER_CONTROL);
            if (!r.succeeded()) {
                throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, pg.target(), "crash recovery of "
                        + db().name() + " (" + dataDir + ") in single-user mode failed (exit " + r.exitCode() + "): "
                        + r.lastLine());
            }
        }
        ControlData again = controlData();
        if (!again.cleanlyShutDown()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, pg.target(), db().name() + " (" + dataDir
                    + ") is still '" + again.clusterState() + "' after crash recovery; pg_rewind needs a clean "
                    + "shutdown");
        }
    }

    /** The local control file ({@code pg_controldata}, C locale). */
    ControlData controlData() throws DbmsException {
        CommandResult r = pg.run(pg.runAs() + "env LC_ALL=C " + pg.bin("pg_controldata") + " -D "
                + Shell.quote(pg.dataDir()), PgClient.QUICK);
        if (!r.succeeded()) {
            throw pg.classify(r, "pg_controldata", pg.dataDir());
        }
        try {
            return ControlData.parse(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new DbmsException(DbmsException.Kind.UNEXPECTED_ROLE, pg.target(), "pg_controldata -D "
                    + pg.dataDir() + " on " + pg.describe() + ": " + e.getMessage(), e);
        }
    }
}
