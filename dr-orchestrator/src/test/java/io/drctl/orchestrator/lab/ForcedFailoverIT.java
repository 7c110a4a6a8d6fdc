package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.lab.TcpOutcome;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Region 1 is cut off (every host's switch port down: running, unreachable), and the shipped full failover runs
 * with {@code --mode forced}: the steps against region 1 are best-effort with their short timeouts, the run ends
 * "completed with best-effort failures" (exit 5) naming each, and region 2 serves, judged from outside.
 */
class ForcedFailoverIT extends LabScenario {
    static final List<LabHost> REGION1 = List.of(LabHost.R1_DBMS, LabHost.R1_MFWK_P, LabHost.R1_MFWK_B, LabHost.R1_APP_P, LabHost.R1_APP_B);

    @BeforeAll
    static void freshLab() {
        assumeLab();
        Lab.fresh();
        REGION1.forEach(h -> Lab.fault("partition", h.id()));
    }

    @Test
    void forcedFailover_regionOneGone_bestEffortExit5_listsWhatItCouldNotDo_regionTwoServes() {
        // the Framework of region 1 runs but cannot be asked: the single-DBMS rule cannot be shown, the operator overrides it
        Cli run = drctl("run", "-i", inventory(), LabCli.runbook("full-failover.yaml"), "--yes",
                "--mode", "forced", "--override-rule", "one-dbms", "--reason", "region1 lost (test: every switch port down)");
        assertEquals(ExitCodes.BEST_EFFORT_FAILED, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("completed with 2 best-effort failure(s)"), run.out());
        assertTrue(run.out().contains("  fence-old: FAILED"), run.out());
        assertTrue(run.out().contains("  flush-proxies-old: FAILED"), run.out());
        assertTrue(run.out().contains("promote-db region2/dbms: RPO unknown: no old primary answered"), run.out());
        // region 2 serves, judged from outside
        assertEquals(Optional.of("10.77.2.10"), Lab.lookupAtBind("cfgmaster"));
        assertEquals(Optional.of("10.77.2.30"), Lab.lookupAtBind("configdb"));
        assertEquals("f", LabCli.inRecovery(LabHost.R2_DBMS));
        assertEquals("CS OK db=10.77.2.30", LabCli.greeting(LabHost.R2_APP_P, "10.77.2.10"));
        for (LabHost app : List.of(LabHost.R2_APP_P, LabHost.R2_APP_B)) {
            assertEquals("10.77.2.10", Lab.exec(app, "getent ahostsv4 cfgmaster.cc.lab.test | awk 'NR==1 {print $1}'").stdout().strip(),
                    app.id() + " resolves the new region");
        }
        assertEquals(TcpOutcome.ACCEPTED, Lab.tcpProbe(LabHost.R2_MFWK_P, "10.77.2.30", 5432));
    }
}
