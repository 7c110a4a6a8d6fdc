package io.drctl.dbms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.LocalCommandRunner;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Failure classification against real programs: a missing psql, a port nothing listens on. */
class PostgresPromoterTest {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private static PostgresInstance instance(int port, Optional<Path> bin) {
        return new PostgresInstance("drvm-test", "127.0.0.1", port, Optional.empty(), "postgres", "postgres", bin,
                Optional.empty());
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Test
    void probe_psqlMissing_isClientMissing() throws Exception {
        PostgresPromoter p = PostgresPromoter.of(LocalCommandRunner.local(),
                instance(15439, Optional.of(Path.of("/nonexistent/drvm/bin"))));

        DbmsException e = assertThrows(DbmsException.class, p::probe);

        assertEquals(DbmsException.Kind.CLIENT_MISSING, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent/drvm/bin"), e.getMessage());
    }

    @Test
    void probe_nothingListening_isCannotConnect() throws Exception {
        int port = closedPort();
        PostgresPromoter p = PostgresPromoter.of(LocalCommandRunner.local(), instance(port, Optional.of(BIN)));

        DbmsException e = assertThrows(DbmsException.class, p::probe);

        assertEquals(DbmsException.Kind.CANNOT_CONNECT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertTrue(e.isRetriable());
    }

    @Test
    void promote_pgCtlWithoutDataDir_isConfigErrorBeforeAnyCommand() {
        PostgresPromoter p = PostgresPromoter.of(LocalCommandRunner.local(),
                instance(15439, Optional.of(Path.of("/nonexistent/drvm/bin"))));

        DbmsException e = assertThrows(DbmsException.class, () -> p.promote(PromoteMethod.PG_CTL, Duration.ofSeconds(5)));

        assertEquals(DbmsException.Kind.CONFIG, e.kind());
    }

    @Test
    void instance_unsafeValues_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PostgresInstance("x", "127.0.0.1; rm -rf /", 5432,
                Optional.empty(), "postgres", "postgres", Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new PostgresInstance("x", "127.0.0.1", 5432,
                Optional.of("postgres$(id)"), "postgres", "postgres", Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new PostgresInstance("x", "127.0.0.1", 5432,
                Optional.empty(), "post'gres", "postgres", Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new PostgresInstance("x", "127.0.0.1", 5432,
                Optional.empty(), "postgres", "postgres", Optional.of(Path.of("/usr/lib/../bin `id`")), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new PostgresInstance("x", "127.0.0.1", 70000,
                Optional.empty(), "postgres", "postgres", Optional.empty(), Optional.empty()));
    }

    @Test
    void psqlCommand_quotesEveryValue() {
        PostgresPromoter p = PostgresPromoter.of(LocalCommandRunner.local(), PostgresInstance.debian("r2/dbms",
                "/var/run/postgresql", 5432, 15, Path.of("/var/lib/postgresql/15/main")));

        String cmd = p.psqlCommand("SELECT 'it''s'");

        assertTrue(cmd.startsWith("printf '%s\\n' 'SELECT '\"'\"'it'\"'\"''\"'\"'s'\"'\"'' | runuser -u 'postgres' -- "
                + "'/usr/lib/postgresql/15/bin/psql' "), cmd);
        assertTrue(cmd.contains(" -h '/var/run/postgresql' -p 5432 -U 'postgres' -d 'dbname=postgres connect_timeout=10' -f -"), cmd);
    }
}
