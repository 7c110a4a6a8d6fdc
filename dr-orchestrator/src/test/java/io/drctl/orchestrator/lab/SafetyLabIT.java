package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandResult;
import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.lab.TcpOutcome;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The shipped failover runbook's safety rules against the real lab: with region2's DBMS fence
 * removed by hand, a region1 Framework host reaches both DBMSs, so {@code drctl run} refuses with
 * exit 4 naming {@code single-dbms-reachable} before any step — and nothing changed (BIND still
 * answers region1, region2's DBMS is still a replica, region2's Framework still dormant).
 */
class SafetyLabIT extends LabScenario {

    @Test
    void run_region2DbmsUnfencedByHand_refusedWithExitFourAndNothingChanged() throws Exception {
        // the normal state: region2's DBMS is fenced from the Framework subnets
        assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R2_DBMS.address(), Lab.DBMS_PORT));
        // an operator "quickly opened" it (the exact rules lab/lib/hosts.sh fence_rules adds)
        for (String net : List.of("10.77.1.8/29", "10.77.2.8/29")) {
            CommandResult r = Lab.exec(LabHost.R2_DBMS, "iptables -D INPUT -p tcp -s " + net + " --dport 5432 -m comment"
                    + " --comment drctl:fence:dbms -j REJECT --reject-with tcp-reset");
            assertEquals(0, r.exitCode(), "removing the fence rule for " + net + ": " + r.stderr());
        }
        assertFalse(Lab.exec(LabHost.R2_DBMS, "iptables -S INPUT").stdout().contains("drctl:fence"), "fence gone");
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R2_DBMS.address(), Lab.DBMS_PORT));
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R1_DBMS.address(), Lab.DBMS_PORT));

        Cli c = drctl("run", "-i", inventory(), Lab.repoRoot().resolve("runbooks/full-failover.yaml").toString());

        assertEquals(ExitCodes.REFUSED, c.exit(), c.out() + c.err());
        assertTrue(c.err().contains("refused by safety rule `one-dbms` (single-dbms-reachable): more than one DBMS accepts TCP 5432"),
                c.err());
        assertTrue(c.err().contains("region1/mfwk-p reaches region1/dbms, region2/dbms"), c.err());
        assertTrue(c.err().contains("--override-rule one-dbms --reason"), c.err());
        // nothing changed
        assertEquals(Optional.of("10.77.1.10"), Lab.lookupAtBind("cfgmaster"));
        assertEquals(Optional.of("10.77.1.11"), Lab.lookupAtBind("cfgmaster-bk"));
        assertEquals(Optional.of("10.77.1.30"), Lab.lookupAtBind("configdb"));
        assertEquals("t", LabCli.inRecovery(LabHost.R2_DBMS), "region2 DBMS must still be a replica");
        assertEquals("f", LabCli.inRecovery(LabHost.R1_DBMS), "region1 DBMS must still be the primary");
        assertFalse(Lab.isRunning(LabHost.R2_MFWK_P) || Lab.isRunning(LabHost.R2_MFWK_B), "region2 Framework must stay dormant");
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, LabHost.R1_DBMS.address(), Lab.DBMS_PORT),
                "region1 DBMS must not have been fenced");
        // the journal: both rules evaluated before the first step (DNS against the real BIND: one region),
        // no step started
        Path runDir;
        try (var s = Files.list(stateDir.resolve("runs"))) {
            runDir = s.findFirst().orElseThrow();
        }
        List<JournalEvent> events = Journal.read(runDir.resolve(Journal.FILE));
        assertTrue(events.stream().anyMatch(e -> e.event().equals("rule.violated") && "one-dbms".equals(e.str("rule"))),
                events.toString());
        assertTrue(events.stream().anyMatch(e -> e.event().equals("rule.checked") && "dns-one-region".equals(e.str("rule"))),
                "records-in-one-region must hold against the lab's BIND: " + events);
        assertTrue(events.stream().noneMatch(e -> e.event().equals("step.started") || e.event().startsWith("action.")),
                events.toString());
        assertEquals("REFUSED", events.get(events.size() - 1).str("status"));
    }
}
