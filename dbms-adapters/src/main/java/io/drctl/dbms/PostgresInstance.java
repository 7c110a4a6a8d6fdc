package io.drctl.dbms;

import io.drctl.host.Values;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One PostgreSQL server as seen from the host a {@link io.drctl.host.CommandRunner} reaches (normally the DBMS
 * host itself, over SSH). Authentication is the server's business (peer/trust for the OS user, or a
 * {@code .pgpass} of that user): no password ever appears on a command line.
 *
 * @param name     inventory name for messages, e.g. {@code region2/dbms}
 * @param host     address psql connects to ({@code 127.0.0.1}, the host's address) or an absolute Unix-socket
 *                 directory
 * @param port     server port
 * @param osUser   OS user the client commands run as via {@code runuser -u USER --}; empty = as the runner's user
 * @param dbUser   database role psql connects as (a superuser, or a role with pg_promote execute rights)
 * @param database database to connect to
 * @param binDir   directory of psql/pg_ctl (e.g. {@code /usr/lib/postgresql/15/bin}); empty = from PATH
 * @param dataDir  the server's data directory; needed only for {@link PromoteMethod#PG_CTL}
 */
public record PostgresInstance(String name, String host, int port, Optional<String> osUser, String dbUser,
                               String database, Optional<Path> binDir, Optional<Path> dataDir) {

    private static final Pattern SAFE_PATH = Pattern.compile("^/[A-Za-z0-9_.@+/-]*$");

    public PostgresInstance {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (host.startsWith("/")) {
            safePath("host (socket directory)", host);
        } else {
            Values.address(host);
        }
        Values.port(port);
        Objects.requireNonNull(osUser, "osUser");
        osUser.ifPresent(Values::name);
        Values.name(dbUser);
        Values.name(database);
        Objects.requireNonNull(binDir, "binDir");
        binDir.ifPresent(p -> safePath("binDir", p.toString()));
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir.ifPresent(p -> safePath("dataDir", p.toString()));
    }

    /**
     * The usual Debian layout: run as OS user {@code postgres}, connect as role {@code postgres} to database
     * {@code postgres}, binaries in {@code /usr/lib/postgresql/<major>/bin}.
     */
    public static PostgresInstance debian(String name, String host, int port, int majorVersion, Path dataDir) {
        return new PostgresInstance(name, host, port, Optional.of("postgres"), "postgres", "postgres",
                Optional.of(Path.of("/usr/lib/postgresql/" + majorVersion + "/bin")), Optional.ofNullable(dataDir));
    }

    /** {@code host:port} (or socket dir:port) for messages. */
    public String endpoint() {
        return host + ":" + port;
    }

    /** Whether {@code p} is accepted as a data, binary or socket directory: absolute, letters, digits and {@code _ . @ + - /}, no {@code ..}. */
    public static boolean isSafePath(String p) {
        return p != null && SAFE_PATH.matcher(p).matches() && !p.contains("..");
    }

    /** Whether {@code v} is a PostgreSQL major version as Debian's directory layout names it ({@code 9.6}, {@code 15}). */
    public static boolean isMajorVersion(String v) {
        return v != null && v.matches("([1-9]\\d?)(\\.\\d)?");
    }

    private static void safePath(String what, String p) {
        if (!isSafePath(p)) {
            throw new IllegalArgumentException("not a safe absolute path for " + what + ": '" + p
                    + "' (letters, digits and _ . @ + - / only)");
        }
    }
}
