package io.drctl.dbms;

import io.drctl.host.CommandResult;
import io.drctl.host.Shell;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local data directory's contents during a rejoin, while the server is stopped: rewound with pg_rewind, or
 * replaced by a pg_basebackup (the old one kept aside, put back on failure), then configured as a standby.
 *
 * @param pg      runs the commands on the local DBMS host, for the local server
 * @param control names the server's configuration file for pg_rewind
 */
record DataDirectory(PgClient pg, ServerControl control) {

    private static final Logger log = LoggerFactory.getLogger(PostgresRejoiner.class); // the rejoin's one log category
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** The local server. */
    private PostgresInstance db() {
        return pg.instance();
    }

    void rewind(UpstreamSpec upstream, RejoinOptions options, boolean dryRun) throws DbmsException {
        String cmd = rewindCommand(upstream, options, dryRun);
        log.info("{}: pg_rewind{} from {}", db().name(), dryRun ? " --dry-run" : "", upstream.endpoint());
        CommandResult r = pg.run(cmd, options.transferTimeout());
        if (!r.succeeded()) {
            throw new DbmsException(DbmsException.Kind.REWIND_FAILED, pg.target(), "pg_rewind" + (dryRun ? " --dry-run" : "")
                    + " of " + db().name() + " (" + pg.dataDir() + ") from " + upstream.endpoint() + " failed (exit "
                    + r.exitCode() + "): " + r.lastLine() + (dryRun ? " (nothing was changed by it)"
                    : " (the data directory may be inconsistent: re-seed it)"));
        }
    }

    /** Package-private for tests of its quoting. */
    String rewindCommand(UpstreamSpec upstream, RejoinOptions options, boolean dryRun) {
        return pg.runAs() + "env LC_ALL=C " + pg.bin("pg_rewind") + " --target-pgdata=" + Shell.quote(pg.dataDir())
                + " --source-server=" + Shell.quote(upstream.sqlConninfo(upstream.adminUser(), PgClient.CONNECT_TIMEOUT_S))
                + control.configFile().map(f -> " --config-file=" + Shell.quote(f.toString())).orElse("")
                + (options.restoreTargetWal() ? " --restore-target-wal" : "") + (dryRun ? " --dry-run" : "");
    }

    /** Package-private for tests of its quoting. */
    String basebackupCommand(UpstreamSpec upstream) {
        return pg.runAs() + pg.bin("pg_basebackup") + " -D " + Shell.quote(pg.dataDir()) + " -d "
                + Shell.quote(upstream.primaryConninfo() + " connect_timeout=" + PgClient.CONNECT_TIMEOUT_S)
                + " -R -X stream -c fast -w" + upstream.slotName().map(s -> " -S " + Shell.quote(s)).orElse("");
    }

    /**
     * Moves the data directory aside (if any), runs pg_basebackup; on failure puts the old directory back.
     *
     * @param now names the kept directories ({@code <dataDir>.drctl-old-<UTC timestamp>})
     * @return where the previous data directory was kept
     */
    Optional<Path> basebackup(UpstreamSpec upstream, RejoinOptions options, boolean hasDataDir, Instant now)
            throws DbmsException {
        String stamp = STAMP.format(now);
        String dir = pg.dataDir();
        Optional<Path> aside = Optional.empty();
        if (hasDataDir || pg.exists(dir)) {
            String old = dir + ".drctl-old-" + stamp;
            move(dir, old, "move the data directory aside (is its parent writable by "
                    + db().osUser().orElse("the runner's user") + "?)");
            aside = Optional.of(Path.of(old));
        }
        log.info("{}: pg_basebackup from {} into {}", db().name(), upstream.endpoint(), dir);
        CommandResult r = pg.run(basebackupCommand(upstream), options.transferTimeout());
        if (!r.succeeded()) {
            String failed = dir + ".drctl-failed-" + stamp;
            StringBuilder restored = new StringBuilder();
            try {
                if (pg.exists(dir)) {
                    move(dir, failed, "move the partial copy aside");
                    restored.append("the partial copy is at ").append(failed).append("; ");
                }
                if (aside.isPresent()) {
                    move(aside.get().toString(), dir, "put the old data directory back");
                    // a former primary's data: never let it start as a writable primary by accident
                    pg.succeeds(pg.runAs() + "touch " + Shell.quote(dir + "/standby.signal"));
                    restored.append("the old data directory is back at ").append(dir).append(" with standby.signal (it starts only as a replica)");
                }
            } catch (DbmsException e) {
                restored.append("restoring failed: ").append(e.getMessage());
            }
            throw new DbmsException(DbmsException.Kind.BASEBACKUP_FAILED, pg.target(), "pg_basebackup of " + db().name()
                    + " from " + upstream.endpoint() + " into " + dir + " failed (exit " + r.exitCode() + "): "
                    + r.lastLine() + "; " + restored + ". The server is stopped");
        }
        return aside;
    }

    private void move(String from, String to, String what) throws DbmsException {
        CommandResult r = pg.run(pg.runAs() + "sh -c " + Shell.quote("test ! -e " + Shell.quote(to) + " && mv -- "
                + Shell.quote(from) + " " + Shell.quote(to)), PgClient.QUICK);
        if (!r.succeeded()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, pg.target(), "could not " + what + ": mv "
                    + from + " " + to + " on " + pg.describe() + " failed (exit " + r.exitCode() + "): " + r.lastLine());
        }
    }

    /** Package-private for tests: the script that writes standby.signal and the primary_* lines. */
    String standbyConfigCommand(UpstreamSpec upstream) {
        String dir = pg.dataDir();
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

    /** Writes standby.signal and drctl's primary_conninfo/primary_slot_name in place of any others. */
    void writeStandbyConfig(UpstreamSpec upstream) throws DbmsException {
        CommandResult r = pg.run(standbyConfigCommand(upstream), PgClient.QUICK);
        if (!r.succeeded()) {
            throw new DbmsException(DbmsException.Kind.SERVER_CONTROL_FAILED, pg.target(), "could not write "
                    + "standby.signal and primary_conninfo into " + pg.dataDir() + " on " + pg.describe() + " (exit "
                    + r.exitCode() + "): " + r.lastLine() + ". The server is stopped");
        }
    }
}
