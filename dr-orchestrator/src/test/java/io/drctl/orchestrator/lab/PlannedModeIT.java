package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planned mode loses nothing, and says so with the old primary's own numbers: a writer on a Framework host commits
 * rows through the DBMS FQDN without pause while the shipped failover and failback run (no re-seed script: drctl's
 * db.rejoin); every row the writer saw committed is on the new primary after each, and each promotion reports
 * RPO 0 bytes. A replica that cannot catch up is refused before anything is promoted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlannedModeIT extends LabScenario {
    static final String PSQL = "/usr/lib/postgresql/15/bin/psql -X -qAt -U postgres";

    @TempDir
    static Path work;

    static Process writer;

    @BeforeAll
    static void freshLab() {
        assumeLab();
        Lab.fresh();
        sql(LabHost.R1_DBMS, "CREATE TABLE planned_writes (n int PRIMARY KEY)");
    }

    @AfterAll
    static void labDown() {
        stopWriter();
        if (Lab.isSupported()) {
            Lab.down();
        }
    }

    static String sql(LabHost dbms, String statement) {
        return Lab.exec(dbms, "runuser -u postgres -- " + PSQL + " -h /run/postgresql -c \"" + statement + "\"").stdout().strip();
    }

    /**
     * A bounded writer (at most 10 minutes) on drl-r1-mfwkp: one INSERT per transaction through configdb's name (so it
     * follows the flip), each number appended to {@code log} only after psql reported the commit.
     */
    static void startWriter(Path log) throws IOException {
        String loop = "echo $$ > /run/planned-writer.pid; end=$((SECONDS+600)); n=0; while [ $SECONDS -lt $end ]; do n=$((n+1)); "
                + "if /usr/lib/postgresql/15/bin/psql -X -q -h configdb.cc.lab.test -U postgres -d postgres "
                + "-c \"INSERT INTO planned_writes VALUES ($n)\" >/dev/null 2>&1; then echo $n >> " + log + "; fi; sleep 0.05; done";
        writer = new ProcessBuilder(Lab.repoRoot().resolve("lab/exec").toString(), LabHost.R1_MFWK_P.id(), "bash", "-c", loop)
                .redirectErrorStream(true).redirectOutput(work.resolve("writer.out").toFile()).start();
    }

    static void stopWriter() {
        if (writer != null && writer.isAlive()) {
            writer.descendants().forEach(ProcessHandle::destroy);
            writer.destroy();
            try {
                writer.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // the loop runs inside the host: end it there by the PID it recorded
        if (Lab.isSupported()) {
            Lab.exec(LabHost.R1_MFWK_P, "[ -s /run/planned-writer.pid ] && kill \"$(cat /run/planned-writer.pid)\"; rm -f /run/planned-writer.pid; true");
        }
    }

    static Set<Integer> committed(Path log) throws IOException {
        Set<Integer> out = new TreeSet<>();
        if (Files.exists(log)) {
            Files.readAllLines(log).stream().filter(l -> !l.isBlank()).forEach(l -> out.add(Integer.parseInt(l.strip())));
        }
        return out;
    }

    static Set<Integer> present(LabHost dbms) {
        Set<Integer> out = new TreeSet<>();
        sql(dbms, "SELECT n FROM planned_writes").lines().filter(l -> !l.isBlank()).forEach(l -> out.add(Integer.parseInt(l.strip())));
        return out;
    }

    static void waitForRows(Path log, int rows) throws Exception {
        for (int i = 0; i < 200 && committed(log).size() < rows; i++) {
            Thread.sleep(100);
        }
        assertTrue(committed(log).size() >= rows, "the writer commits: " + Files.readString(work.resolve("writer.out")));
    }

    @Test
    @Order(1)
    void plannedFailoverAndFailback_whileAWriterCommits_everyCommittedRowSurvives_rpoZeroBothTimes() throws Exception {
        Path log = work.resolve("committed.log");
        startWriter(log);
        waitForRows(log, 20);

        Cli over = drctl("run", "-i", inventory(), LabCli.runbook("full-failover.yaml"), "--yes");
        assertEquals(0, over.exit(), over.out() + over.err());
        assertTrue(Pattern.compile("promote-db region2/dbms: RPO 0 bytes").matcher(over.out()).find(), over.out());
        assertTrue(over.out().contains("recovery point: promote-db region2/dbms: RPO 0 bytes"), "in the run's summary: " + over.out());
        String runId = over.out().lines().filter(l -> l.startsWith("run ") && l.contains(": SUCCEEDED")).findFirst().orElseThrow()
                .split("[ :]")[1];
        Cli status = drctl("status", runId, "--output", "json");
        assertTrue(Pattern.compile("\"rpo\"\\s*:\\s*\\[\\s*\"promote-db region2/dbms: RPO 0 bytes").matcher(status.out()).find(), status.out());
        int before = committed(log).size();
        waitForRows(log, before + 20); // the writer follows the flip to the new primary
        Set<Integer> lost = new TreeSet<>(committed(log));
        lost.removeAll(present(LabHost.R2_DBMS));
        assertEquals(Set.of(), lost, "every row committed before and during the failover is on the new primary");

        Cli back = drctl("run", "-i", inventory(), LabCli.runbook("failback.yaml"), "--yes");
        assertEquals(0, back.exit(), back.out() + back.err());
        assertTrue(Pattern.compile("promote-target region1/dbms: RPO 0 bytes").matcher(back.out()).find(), back.out());
        before = committed(log).size();
        waitForRows(log, before + 20);
        stopWriter();
        lost = new TreeSet<>(committed(log));
        lost.removeAll(present(LabHost.R1_DBMS));
        assertEquals(Set.of(), lost, "every row committed is on region 1's primary after the failback");
        assertTrue(committed(log).size() > 60, "the writer kept committing: " + committed(log).size());
        assertEquals("t", LabCli.inRecovery(LabHost.R2_DBMS), "region 2's DBMS is a replica again (db.rejoin, no script)");
        String check = Lab.check().stdout();
        assertTrue(check.contains("lab check: all facts ok"), check);
    }

    @Test
    @Order(2)
    void plannedFailover_replicaCannotCatchUp_refusedBeforeAnythingIsPromoted() {
        // a lab fault: the replica stops streaming, then the primary commits more
        sql(LabHost.R2_DBMS, "ALTER SYSTEM SET primary_conninfo = ''");
        sql(LabHost.R2_DBMS, "SELECT pg_reload_conf()");
        sql(LabHost.R1_DBMS, "INSERT INTO planned_writes VALUES (-1)");
        Cli over = drctl("run", "-i", inventory(), LabCli.runbook("full-failover.yaml"), "--yes");
        assertEquals(ExitCodes.STEP_FAILED, over.exit(), over.out() + over.err());
        String all = over.out() + over.err();
        assertTrue(all.contains("planned mode: the old primary does not list this replica among its standbys for 10s"), all);
        assertTrue(all.contains("nothing was promoted"), all);
        assertEquals("t", LabCli.inRecovery(LabHost.R2_DBMS), "region 2's DBMS was not promoted");
    }
}
