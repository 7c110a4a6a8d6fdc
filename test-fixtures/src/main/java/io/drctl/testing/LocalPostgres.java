package io.drctl.testing;

import io.drctl.host.CommandResult;
import io.drctl.host.HostAccessException;
import io.drctl.host.LocalCommandRunner;
import io.drctl.host.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Throw-away PostgreSQL 15 clusters on this machine for integration tests: a temp base directory owned by OS user
 * {@code postgres}, one data directory per cluster inside it, each server listening on 127.0.0.1 with its socket and
 * log in the base directory. Needs root ({@code runuser}). A JUnit extension: registered with
 * {@code @RegisterExtension} on a static field ({@code static final LocalPostgres pg = new LocalPostgres("drctl-rejoin-")}),
 * it makes the base directory before the class's {@code @BeforeAll} methods and, after all its tests, stops every
 * server still running and deletes the base directory.
 */
public final class LocalPostgres implements BeforeAllCallback, AfterAllCallback {

    /** The binaries of Debian's postgresql-15 package. */
    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private static final LocalCommandRunner LOCAL = LocalCommandRunner.local();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private final String prefix;
    private Path base;

    /** @param prefix the start of the base directory's name, e.g. {@code drctl-rejoin-} */
    public LocalPostgres(String prefix) {
        this.prefix = prefix;
    }

    /** Makes the base directory, named {@code prefix} and a random suffix, owned by {@code postgres} with mode 700. */
    @Override
    public void beforeAll(ExtensionContext context) throws IOException, HostAccessException {
        base = Files.createTempDirectory(prefix);
        sh("chown postgres:postgres " + q(base) + " && chmod 700 " + q(base));
    }

    /** Stops (immediate mode) every server still running in the base directory, then deletes it. */
    @Override
    public void afterAll(ExtensionContext context) throws IOException, HostAccessException {
        if (base == null) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(base)) {
            dirs = s.toList();
        }
        for (Path d : dirs) {
            if (Files.exists(d.resolve("postmaster.pid"))) {
                LOCAL.run("runuser -u postgres -- " + BIN.resolve("pg_ctl") + " stop -D " + q(d)
                        + " -m immediate -w -t 30", Duration.ofSeconds(60));
            }
        }
        try (Stream<Path> s = Files.walk(base)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        base = null;
    }

    /** The base directory; only between {@link #beforeAll} and {@link #afterAll}. */
    public Path base() {
        if (base == null) {
            throw new IllegalStateException("no base directory: register LocalPostgres with @RegisterExtension on a static field");
        }
        return base;
    }

    /** The data directory of cluster {@code name} (made by {@link #initdb} or {@link #basebackup}). */
    public Path dir(String name) {
        return base().resolve(name);
    }

    /** A new cluster {@code name}: superuser {@code postgres}, trust authentication, UTF8. */
    public Path initdb(String name) throws HostAccessException {
        Path d = dir(name);
        asPostgres(BIN.resolve("initdb") + " -D " + q(d) + " -U postgres --auth=trust -E UTF8");
        return d;
    }

    /** A streaming replica {@code name} of the server on {@code primaryPort} ({@code pg_basebackup -R}), not started. */
    public Path basebackup(String name, int primaryPort) throws HostAccessException {
        Path d = dir(name);
        asPostgres(BIN.resolve("pg_basebackup") + " -h 127.0.0.1 -p " + primaryPort + " -U postgres -D " + q(d)
                + " -R -X stream -c fast -w");
        return d;
    }

    /** The server options {@link #start} gives {@code pg_ctl -o}: the port, 127.0.0.1, the socket in the base. */
    public String serverOptions(int port) {
        return "-p " + port + " -c listen_addresses=127.0.0.1 -k " + base();
    }

    /** The log file {@link #start} gives the server of {@code dataDir}. */
    public Path log(Path dataDir) {
        return base().resolve(dataDir.getFileName() + ".log");
    }

    /** Starts the server of {@code dataDir} on {@code port} and waits (60 s at most) until it accepts connections. */
    public void start(Path dataDir, int port) throws HostAccessException {
        asPostgres(BIN.resolve("pg_ctl") + " -D " + q(dataDir) + " -l " + q(log(dataDir))
                + " -w -t 60 -o " + Shell.quote(serverOptions(port)) + " start");
    }

    /** Runs {@code sql} as {@code postgres} on {@code port}; the unaligned, tuples-only output, stripped. */
    public String psql(int port, String sql) throws HostAccessException {
        return asPostgres(BIN.resolve("psql") + " -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " + port
                + " -U postgres -d postgres -c " + Shell.quote(sql)).strip();
    }

    /** Polls {@code sql} every 500 ms until it gives {@code expected}; fails after 60 s. */
    public void waitFor(int port, String sql, String expected) throws HostAccessException, InterruptedException {
        for (int i = 0; !psql(port, sql).equals(expected); i++) {
            if (i >= 120) {
                throw new IllegalStateException("port " + port + ": '" + sql + "' never gave " + expected);
            }
            Thread.sleep(500);
        }
    }

    /** Runs {@code cmd} as OS user {@code postgres}; its stdout. */
    public String asPostgres(String cmd) throws HostAccessException {
        return sh("runuser -u postgres -- " + cmd);
    }

    /** Runs the shell command {@code cmd}; its stdout, or an {@link IllegalStateException} if it exits non-zero. */
    public String sh(String cmd) throws HostAccessException {
        CommandResult r = LOCAL.run(cmd, COMMAND_TIMEOUT);
        if (!r.succeeded()) {
            throw new IllegalStateException("'" + cmd + "' exited " + r.exitCode() + ": " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    /** {@code p} quoted for the shell. */
    public static String q(Path p) {
        return Shell.quote(p.toString());
    }
}
