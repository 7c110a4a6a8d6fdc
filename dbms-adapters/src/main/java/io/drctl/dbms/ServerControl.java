package io.drctl.dbms;

import io.drctl.host.Shell;
import io.drctl.host.Values;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the local PostgreSQL server is started and stopped during a rejoin. Every variant builds a command line from
 * validated values only; start commands must wait until the server accepts connections (or failed) and stop
 * commands until it is down.
 */
public sealed interface ServerControl {

    /** Command line that starts the server (run as given: the implementation adds {@code runuser} itself where due). */
    String startCommand(PostgresInstance db);

    /** Command line that stops the server with a clean shutdown checkpoint ({@code -m fast}). */
    String stopCommand(PostgresInstance db);

    /**
     * The server's main configuration file when it is not {@code <dataDir>/postgresql.conf} (Debian keeps it in
     * {@code /etc/postgresql/<v>/<cluster>/}); passed to single-user crash recovery and {@code pg_rewind
     * --config-file}.
     */
    Optional<Path> configFile();

    /**
     * {@code pg_ctl -D <dataDir> [-l <logFile>] -w -t <s> [-o <options>] start} / {@code stop -m fast}, run as the
     * instance's OS user. Fits clusters whose {@code postgresql.conf} is in the data directory.
     *
     * @param options        server options for {@code pg_ctl -o}, e.g. {@code -p 5433}; passed as one quoted word,
     *                       letters, digits, spaces and {@code _ . = / - :} only
     * @param logFile        server log file for {@code pg_ctl -l}
     * @param timeoutSeconds how long pg_ctl waits for start/stop
     */
    record PgCtl(Optional<String> options, Optional<Path> logFile, int timeoutSeconds) implements ServerControl {
        public PgCtl {
            Objects.requireNonNull(options, "options");
            options.ifPresent(o -> {
                if (!o.matches("[A-Za-z0-9 _.=/:,-]*")) {
                    throw new IllegalArgumentException("unsafe pg_ctl server options: '" + o
                            + "' (letters, digits, spaces and _ . = / : , - only)");
                }
            });
            Objects.requireNonNull(logFile, "logFile");
            logFile.ifPresent(p -> {
                if (!PostgresInstance.isSafePath(p.toString())) {
                    throw new IllegalArgumentException("not a safe absolute path for the server log: '" + p + "'");
                }
            });
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("pg_ctl timeout must be at least 1 s, got " + timeoutSeconds);
            }
        }

        public static PgCtl plain() {
            return new PgCtl(Optional.empty(), Optional.empty(), 120);
        }

        @Override
        public String startCommand(PostgresInstance db) {
            return runAs(db) + Shell.quote(bin(db, "pg_ctl")) + " -D " + Shell.quote(dataDir(db))
                    + logFile.map(l -> " -l " + Shell.quote(l.toString())).orElse("")
                    + " -w -t " + timeoutSeconds + options.map(o -> " -o " + Shell.quote(o)).orElse("") + " start";
        }

        @Override
        public String stopCommand(PostgresInstance db) {
            return runAs(db) + Shell.quote(bin(db, "pg_ctl")) + " -D " + Shell.quote(dataDir(db)) + " -w -t "
                    + timeoutSeconds + " -m fast stop";
        }

        @Override
        public Optional<Path> configFile() {
            return Optional.empty();
        }
    }

    /**
     * Debian's {@code pg_ctlcluster <version> <cluster> start|stop -m fast} (as root this goes through systemd when
     * it runs); the configuration is {@code /etc/postgresql/<version>/<cluster>/postgresql.conf}.
     */
    record PgCtlCluster(String version, String cluster) implements ServerControl {
        public PgCtlCluster {
            if (!PostgresInstance.isMajorVersion(version)) {
                throw new IllegalArgumentException("not a PostgreSQL major version: '" + version + "'");
            }
            Values.name(cluster);
        }

        @Override
        public String startCommand(PostgresInstance db) {
            return "pg_ctlcluster " + Shell.quote(version) + " " + Shell.quote(cluster) + " start";
        }

        @Override
        public String stopCommand(PostgresInstance db) {
            return "pg_ctlcluster " + Shell.quote(version) + " " + Shell.quote(cluster) + " stop -m fast";
        }

        @Override
        public Optional<Path> configFile() {
            return Optional.of(Path.of("/etc/postgresql", version, cluster, "postgresql.conf"));
        }
    }

    /** {@code systemctl start|stop <unit>} (run by a root runner); {@code configFile} as for the cluster's layout. */
    record Systemd(String unit, Optional<Path> configFile) implements ServerControl {
        public Systemd {
            if (!Objects.requireNonNull(unit, "unit").matches("[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}")) {
                throw new IllegalArgumentException("not a systemd unit name: '" + unit + "'");
            }
            Objects.requireNonNull(configFile, "configFile");
            configFile.ifPresent(p -> {
                if (!PostgresInstance.isSafePath(p.toString())) {
                    throw new IllegalArgumentException("not a safe absolute path for the configuration file: '" + p + "'");
                }
            });
        }

        @Override
        public String startCommand(PostgresInstance db) {
            return "systemctl start " + Shell.quote(unit);
        }

        @Override
        public String stopCommand(PostgresInstance db) {
            return "systemctl stop " + Shell.quote(unit);
        }
    }

    private static String runAs(PostgresInstance db) {
        return db.osUser().map(u -> "runuser -u " + Shell.quote(u) + " -- ").orElse("");
    }

    private static String bin(PostgresInstance db, String program) {
        return db.binDir().map(d -> d.resolve(program).toString()).orElse(program);
    }

    private static String dataDir(PostgresInstance db) {
        return db.dataDir().orElseThrow(() -> new IllegalStateException(db.name() + " has no data directory")).toString();
    }
}
