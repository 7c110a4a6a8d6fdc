package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DBMS drctl has no adapter for, driven through command templates ({@code db: { kind: command, ... }}): here the
 * lab's region-2 PostgreSQL through the psql templates of dbms-adapters/COMMAND-DBMS.md, run on the host over SSH.
 * The shipped-style checks and promotion work on it; the outcome is read independently with psql.
 */
class CommandDbmsLabIT extends LabScenario {
    @TempDir
    static Path work;

    static final String PSQL = "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -A -t -q -w -v ON_ERROR_STOP=1"
            + " -h {host} -p {port} -U postgres -d postgres";

    /** The lab's inventory with region 2's DBMS declared as `kind: command` (region 1's stays postgresql). */
    static Path commandInventory() throws Exception {
        String inv = Files.readString(Lab.inventory());
        String r2 = inv.substring(inv.indexOf("  region2:"));
        String line = r2.lines().filter(l -> l.strip().startsWith("db: {")).findFirst().orElseThrow();
        String templates = """
                db:
                          kind: command
                          role: '%1$s -c "SELECT CASE WHEN pg_is_in_recovery() THEN ''replica'' ELSE ''primary'' END"'
                          primary: '^primary$'
                          replica: '^replica$'
                          promote: '%1$s -c "SELECT pg_promote(true, 60)"'
                          lag: '%1$s -c "SELECT ''bytes='' || coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint::text, '''') || '' seconds='' || coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp())::text, '''')"'
                          lagPattern: '^bytes=(?<bytes>\\d*) seconds=(?<seconds>[-0-9.]*)$'
                          writeCheck: '%1$s -c "BEGIN; CREATE TEMP TABLE drctl_write_probe (at timestamptz) ON COMMIT DROP; INSERT INTO drctl_write_probe VALUES (now()); COMMIT;"'
                """.formatted(PSQL).stripTrailing();
        String replaced = inv.substring(0, inv.indexOf("  region2:")) + r2.replace(line.strip(), templates);
        return Files.writeString(work.resolve("inventory-command.yaml"), replaced);
    }

    @Test
    void commandTemplateDbms_checkedAndPromoted_outcomeReadIndependently() throws Exception {
        Path inv = commandInventory();
        Path rb = Files.writeString(work.resolve("promote.yaml"), """
                name: promote-command
                steps:
                  - id: standby
                    type: db.replica
                    hosts: "region=region2 role=dbms"
                    maxLagBytes: 16777216
                  - id: promote
                    type: db.promote
                    hosts: "region=region2 role=dbms"
                    dependsOn: [standby]
                """);
        Cli plan = drctl("plan", "-i", inv.toString(), rb.toString());
        assertEquals(0, plan.exit(), plan.out() + plan.err() + "\n" + Files.readString(inv));
        assertTrue(plan.out().contains("promote the DBMS on region2/dbms with its `promote` template"), plan.out());
        assertEquals("t", LabCli.inRecovery(LabHost.R2_DBMS));
        Cli run = drctl("run", "-i", inv.toString(), rb.toString(), "--yes");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("promote region2/dbms: RPO 0 bytes"), "planned: the lag template said 0 bytes: " + run.out());
        assertEquals("f", LabCli.inRecovery(LabHost.R2_DBMS), "psql, independently: region 2's DBMS left recovery");
        // idempotent: promoting again finds a primary and runs no `promote`
        Path only = Files.writeString(work.resolve("promote-only.yaml"), """
                name: promote-again
                steps:
                  - { id: promote, type: db.promote, hosts: "region=region2 role=dbms" }
                """);
        Cli again = drctl("run", "-i", inv.toString(), only.toString(), "--yes");
        assertEquals(0, again.exit(), again.out() + again.err());
        assertTrue(java.util.regex.Pattern.compile("(?m)^promote\\s+db\\.promote\\s+SATISFIED").matcher(again.out()).find(), again.out());
    }
}
