package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.lab.TcpOutcome;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two partial-failover scenarios of the reference architecture, each on a fresh lab, outcomes read from outside. */
class LabPartialFailoverIT extends LabScenario {

    @TempDir
    Path state;

    @BeforeAll
    static void freshLab() {
        assumeLab();
    }

    int run(String runbook) {
        return LabCli.drctl(state, "run", "-i", inventory(), LabCli.runbook(runbook)).exit();
    }

    @Test
    void frameworkOnly_movesTheConfigServersButNotTheDbms() {
        Lab.fresh();
        assertEquals(0, run("partial-failover-framework.yaml"));
        assertEquals(Optional.of("10.77.2.10"), Lab.lookupAtBind("cfgmaster"));
        assertEquals(Optional.of("10.77.2.11"), Lab.lookupAtBind("cfgmaster-bk"));
        assertEquals(Optional.of("10.77.1.30"), Lab.lookupAtBind("configdb"), "the DBMS FQDN is untouched");
        assertFalse(Lab.isRunning(LabHost.R1_MFWK_P) || Lab.isRunning(LabHost.R1_MFWK_B), "one master CS pair only");
        assertEquals("CS OK db=10.77.1.30", LabCli.greeting(LabHost.R2_APP_P, "10.77.2.10"));
        for (LabHost app : List.of(LabHost.R1_APP_P, LabHost.R2_APP_B)) {
            assertEquals("10.77.2.10", Lab.exec(app, "getent ahostsv4 cfgmaster.cc.lab.test | awk 'NR==1{print $1}'").stdout().strip());
        }
    }

    @Test
    void dbmsOnly_movesTheDatabaseAndTheActiveConfigServersFollow() {
        Lab.fresh();
        assertEquals(0, run("partial-failover-dbms.yaml"));
        assertEquals(Optional.of("10.77.1.10"), Lab.lookupAtBind("cfgmaster"), "the Framework FQDNs are untouched");
        assertEquals(Optional.of("10.77.2.30"), Lab.lookupAtBind("configdb"));
        assertEquals(TcpOutcome.REFUSED, Lab.tcpProbe(LabHost.R1_MFWK_P, "10.77.1.30", Lab.DBMS_PORT), "old DBMS fenced");
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R1_MFWK_P, "10.77.2.30", Lab.DBMS_PORT), "new DBMS open");
        assertEquals("CS OK db=10.77.2.30", LabCli.greeting(LabHost.R1_APP_P, "10.77.1.10"));
        assertTrue(Lab.isRunning(LabHost.R1_MFWK_P));
    }
}
