package io.drctl.dbms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drctl.host.CommandResult;
import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * db.promote on the lab: region 2's streaming replica becomes a writable primary through {@code lab/exec}
 * (the same commands SSH would run on the DBMS host); running it twice changes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DbmsLabIT {

    private static final String PSQL = "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -A -t -q "
            + "-v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U postgres -d postgres -c ";

    @BeforeAll
    static void labWithReplica() throws Exception {
        assumeTrue(Lab.isRoot(), "the lab needs root; skipped on this non-root machine");
        Lab.up();
        if (!sql(LabHost.R2_DBMS, "SELECT pg_is_in_recovery()").equals("t")) {
            Lab.fresh(); // a previous run left region 2 promoted: start from the lab's initial state
        }
    }

    @AfterAll
    static void restoreLab() {
        if (Lab.isRoot()) {
            Lab.down(); // a promoted replica cannot be demoted in place; the next lab/up rebuilds it
        }
    }

    private static String sql(LabHost host, String q) {
        CommandResult r = Lab.exec(host, PSQL + io.drctl.host.Shell.quote(q));
        if (!r.succeeded()) {
            throw new IllegalStateException(q + " on " + host.id() + ": exit " + r.exitCode() + " " + r.stderr());
        }
        return r.stdout().strip();
    }

    private static PostgresPromoter promoter() {
        return PostgresPromoter.of(Lab.runner(LabHost.R2_DBMS), PostgresInstance.debian(
                "region2/dbms", "127.0.0.1", Lab.DBMS_PORT, 15, Lab.pgDataDir(LabHost.R2_DBMS)));
    }

    @Test
    @Order(1)
    void probe_region2_isStreamingReplicaAndRegion1SeesIt() throws Exception {
        sql(LabHost.R1_DBMS, "CREATE TABLE IF NOT EXISTS drvm_lab (id int primary key, note text)");
        sql(LabHost.R1_DBMS, "INSERT INTO drvm_lab VALUES (1, 'written in region 1') ON CONFLICT DO NOTHING");

        PgProbe r2 = promoter().probe();
        PgProbe r1 = PostgresPromoter.of(Lab.runner(LabHost.R1_DBMS), PostgresInstance.debian(
                "region1/dbms", "127.0.0.1", Lab.DBMS_PORT, 15, null)).probe();

        assertEquals(PgRole.REPLICA, r2.role());
        assertTrue(r2.replica().orElseThrow().isStreaming(), r2.toString());
        assertEquals(PgRole.PRIMARY, r1.role());
        assertTrue(r1.standbys().stream().anyMatch(s -> s.clientAddr().equals(LabHost.R2_DBMS.address())),
                r1.standbys().toString());
        System.out.println("region2 " + r2.replica().orElseThrow());
        System.out.println("region1 standbys " + r1.standbys());
    }

    @Test
    @Order(2)
    void promote_region2Replica_becomesWritablePrimary() throws Exception {
        String q = PSQL + io.drctl.host.Shell.quote("SELECT count(*) FROM drvm_lab");
        for (int i = 0; !Lab.exec(LabHost.R2_DBMS, q).stdout().strip().equals("1"); i++) {
            if (i >= 60) {
                throw new IllegalStateException("region 1's row did not replicate to region 2 within 30 s");
            }
            Thread.sleep(500);
        }
        PromoteResult r = promoter().promote(PromoteMethod.PG_PROMOTE, Duration.ofSeconds(60));

        assertEquals(PromoteResult.Outcome.PROMOTED, r.outcome());
        assertEquals("f", sql(LabHost.R2_DBMS, "SELECT pg_is_in_recovery()"));
        sql(LabHost.R2_DBMS, "INSERT INTO drvm_lab VALUES (2, 'written in region 2 after failover')");
        assertEquals("2", sql(LabHost.R2_DBMS, "SELECT count(*) FROM drvm_lab"));
        System.out.println("promoted region2/dbms in " + r.elapsed().toMillis() + " ms");
    }

    @Test
    @Order(3)
    void promote_twice_changesNothing() throws Exception {
        String timeline = sql(LabHost.R2_DBMS, "SELECT timeline_id FROM pg_control_checkpoint()");

        PromoteResult r = promoter().promote(PromoteMethod.PG_PROMOTE, Duration.ofSeconds(60));

        assertEquals(PromoteResult.Outcome.ALREADY_PRIMARY, r.outcome());
        assertFalse(r.changed());
        assertEquals(timeline, sql(LabHost.R2_DBMS, "SELECT timeline_id FROM pg_control_checkpoint()"));
        assertEquals("2", sql(LabHost.R2_DBMS, "SELECT count(*) FROM drvm_lab"));
    }
}
