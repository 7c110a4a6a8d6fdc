package io.drctl.dbms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.LocalCommandRunner;
import io.drctl.testing.FakeClock;
import io.drctl.testing.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real PostgreSQL 15 primary (127.0.0.1:15432) with two streaming replicas (15433, 15434) made by
 * {@code pg_basebackup -R}, all owned by OS user {@code postgres} in a temp dir; the promoter drives them
 * through {@link LocalCommandRunner} exactly as it would over SSH. Needs root (runuser).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresPromoterIT {

    private static final int PRIMARY = 15432;
    private static final int REPLICA_A = 15433;
    private static final int REPLICA_B = 15434;
    private static final LocalCommandRunner LOCAL = LocalCommandRunner.local();

    @RegisterExtension
    static final LocalPostgres pg = new LocalPostgres("drvm-pg-");

    @BeforeAll
    static void startCluster() throws Exception {
        pg.start(pg.initdb("primary"), PRIMARY);
        pg.psql(PRIMARY, "CREATE TABLE drvm_orders (id int primary key, note text); INSERT INTO drvm_orders VALUES (1, 'before failover')");
        Path replicaA = pg.basebackup("replica-a", PRIMARY);
        Path replicaB = pg.basebackup("replica-b", PRIMARY);
        pg.start(replicaA, REPLICA_A);
        pg.start(replicaB, REPLICA_B);
        pg.waitFor(PRIMARY, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", "2");
        pg.psql(PRIMARY, "INSERT INTO drvm_orders VALUES (2, 'streamed')");
    }

    private static PostgresPromoter promoter(int port, String dataDir) {
        return PostgresPromoter.of(LOCAL, PostgresInstance.debian("drvm-" + dataDir, "127.0.0.1", port, 15,
                pg.dir(dataDir)));
    }

    @Test
    @Order(1)
    void probe_replicaAndPrimary_showRoleAndLag() throws Exception {
        PgProbe replica = promoter(REPLICA_A, "replica-a").probe();
        PgProbe primary = promoter(PRIMARY, "primary").probe();

        assertEquals(PgRole.REPLICA, replica.role());
        ReplicaStatus rs = replica.replica().orElseThrow();
        assertTrue(rs.isStreaming(), rs.toString());
        assertTrue(rs.receiveLsn().isPresent() && rs.replayLsn().isPresent(), rs.toString());
        assertTrue(rs.receiveReplayBytes().orElseThrow() >= 0, rs.toString());
        assertTrue(replica.serverVersionNum() >= 150000 && replica.serverVersionNum() < 160000);

        assertEquals(PgRole.PRIMARY, primary.role());
        assertEquals(2, primary.standbys().size(), primary.toString());
        assertTrue(primary.standbys().stream().allMatch(s -> s.state().equals("streaming")
                && s.clientAddr().equals("127.0.0.1")), primary.standbys().toString());
        System.out.println("replica probe: " + replica);
        System.out.println("primary probe: " + primary);
    }

    @Test
    @Order(2)
    void verifyWritable_onReplica_isNotWritable() {
        DbmsException e = assertThrows(DbmsException.class, () -> promoter(REPLICA_A, "replica-a").verifyWritable());
        assertEquals(DbmsException.Kind.NOT_WRITABLE, e.kind());
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    }

    @Test
    @Order(3)
    void promote_replicaWithPgPromote_becomesWritablePrimary() throws Exception {
        PromoteResult r = promoter(REPLICA_A, "replica-a").promote(PromoteMethod.PG_PROMOTE, Duration.ofSeconds(60));

        assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
        assertEquals(PgRole.REPLICA, r.before().role());
        assertEquals(PgRole.PRIMARY, r.after().role());
        // checked independently of the promoter: out of recovery, has the streamed rows, takes an insert
        assertEquals("f", pg.psql(REPLICA_A, "SELECT pg_is_in_recovery()"));
        assertEquals("2", pg.psql(REPLICA_A, "SELECT count(*) FROM drvm_orders"));
        pg.psql(REPLICA_A, "INSERT INTO drvm_orders VALUES (3, 'written on the promoted replica')");
        assertEquals("written on the promoted replica", pg.psql(REPLICA_A, "SELECT note FROM drvm_orders WHERE id = 3"));
        assertFalse(Files.exists(pg.dir("replica-a").resolve("standby.signal")));
        System.out.println("promoted in " + r.elapsed().toMillis() + " ms");
    }

    @Test
    @Order(4)
    void promote_twice_secondIsAlreadyPrimaryAndChangesNothing() throws Exception {
        // the end-of-recovery checkpoint after the first promotion is asynchronous: settle it so the control
        // file's timeline is the promoted one before comparing (it lagged once under load: 1, then 2)
        pg.psql(REPLICA_A, "CHECKPOINT");
        String timelineBefore = pg.psql(REPLICA_A, "SELECT timeline_id FROM pg_control_checkpoint()");
        String rowsBefore = pg.psql(REPLICA_A, "SELECT count(*) FROM drvm_orders");

        PromoteResult r = promoter(REPLICA_A, "replica-a").promote(PromoteMethod.PG_PROMOTE, Duration.ofSeconds(60));

        assertEquals(PromoteResult.Outcome.ALREADY_PRIMARY, r.outcome());
        assertFalse(r.changed());
        assertEquals(timelineBefore, pg.psql(REPLICA_A, "SELECT timeline_id FROM pg_control_checkpoint()"));
        assertEquals(rowsBefore, pg.psql(REPLICA_A, "SELECT count(*) FROM drvm_orders"));
        assertEquals("", pg.psql(REPLICA_A, "SELECT to_regclass('drctl_write_probe')"),
                "the write check leaves no table behind");
    }

    @Test
    @Order(5)
    void promote_pgCtlCannotPromote_isPromoteTimeoutAndStaysReplica() throws Exception {
        // the data dir given is the primary's: pg_ctl refuses ("server is not in standby mode"), replica-b stays one
        FakeClock clock = new FakeClock();
        PostgresPromoter p = new PostgresPromoter(LOCAL, PostgresInstance.debian("drvm-replica-b", "127.0.0.1",
                REPLICA_B, 15, pg.dir("primary")), clock, clock.sleeper(), Duration.ofSeconds(1));

        DbmsException e = assertThrows(DbmsException.class, () -> p.promote(PromoteMethod.PG_CTL, Duration.ofSeconds(5)));

        assertEquals(DbmsException.Kind.PROMOTE_TIMEOUT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("still in recovery"), e.getMessage());
        assertEquals("t", pg.psql(REPLICA_B, "SELECT pg_is_in_recovery()"));
    }

    @Test
    @Order(6)
    void promote_replicaWithPgCtl_becomesWritablePrimary() throws Exception {
        PostgresPromoter p = promoter(REPLICA_B, "replica-b");

        PromoteResult r = p.promote(PromoteMethod.PG_CTL, Duration.ofSeconds(60));

        assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
        pg.psql(REPLICA_B, "INSERT INTO drvm_orders VALUES (4, 'pg_ctl promoted')");
        assertEquals("f", pg.psql(REPLICA_B, "SELECT pg_is_in_recovery()"));
        assertEquals(PromoteResult.Outcome.ALREADY_PRIMARY, p.promote(PromoteMethod.PG_CTL, Duration.ofSeconds(60)).outcome());
    }

    @Test
    @Order(7)
    void probe_wrongOsUser_isCommandFailed() {
        PostgresPromoter p = PostgresPromoter.of(LOCAL, new PostgresInstance("drvm", "127.0.0.1", PRIMARY,
                Optional.of("drvm-no-such-user"), "postgres", "postgres", Optional.of(LocalPostgres.BIN), Optional.empty()));
        DbmsException e = assertThrows(DbmsException.class, p::probe);
        assertEquals(DbmsException.Kind.COMMAND_FAILED, e.kind(), e.getMessage());
    }

}
