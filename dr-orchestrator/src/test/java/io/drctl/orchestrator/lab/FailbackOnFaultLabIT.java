package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Guaranteed failback on the lab: a failover variant powers region 2's primary Framework host off right after the DNS
 * flip (a real lab fault, {@code lab/fault host-down region2/mfwk-p}), so its Configuration Server never answers and
 * the failover fails part-way, after the promotion. The drill then runs the failback (a promotion cannot be
 * reverted), verifies with the readiness checks, and its report shows the failover (FAILED, where), the failback and
 * the final verified state; the exit code is the failover's (3). The lab is back in its normal state:
 * region 2's Framework is dormant anyway.
 */
class FailbackOnFaultLabIT extends LabScenario {

    /** The shipped failover with the fault injected after {@code flip-dns} and a short wait for the Configuration Servers. */
    static Path faultyFailover() throws Exception {
        String text = Files.readString(Lab.repoRoot().resolve("runbooks/full-failover.yaml"));
        String fault = """
                  - id: lab-fault
                    type: exec
                    description: (test) power region2/mfwk-p off right after the DNS flip
                    command: "FAULT host-down region2/mfwk-p"
                    dependsOn: [flip-dns]

                  - id: config-server-up
                """.replace("FAULT", Lab.script("fault").toString());
        String variant = text.replace("  - id: config-server-up\n", fault);
        int at = variant.indexOf("  - id: config-server-up");
        int end = variant.indexOf("\n  - id:", at + 5);
        String block = variant.substring(at, end).replace("within: 5m", "within: 20s")
                .replace("dependsOn: [dns-visible]", "dependsOn: [dns-visible, lab-fault]");
        variant = variant.substring(0, at) + block + variant.substring(end);
        assertTrue(variant.contains("dependsOn: [dns-visible, lab-fault]") && variant.contains("within: 20s"), variant);
        Path out = stateDir.resolve("full-failover-with-fault.yaml");
        Files.writeString(out, variant);
        return out;
    }

    @Test
    void drill_faultAfterDnsFlip_failsBack_reportShowsFailoverFailbackAndFinalState_exit3() throws Exception {
        String reseed = Lab.repoRoot().resolve("lab/db-reseed").toString();
        Cli c = drctl("drill", "-i", inventory(), "--yes",
                "--failover", faultyFailover().toString(), "--failback", LabCli.runbook("failback.yaml"),
                "--readiness", LabCli.runbook("readiness.yaml"),
                "-p", "reseedCommand=" + reseed, "-p", "reseedCheck=" + reseed + " --check");
        assertEquals(ExitCodes.STEP_FAILED, c.exit(), c.out() + c.err());
        assertTrue(c.err().contains("failover failed part-way at config-server-up"), c.err());
        assertTrue(c.err().contains("promote-db region2/dbms cannot be reverted: running the failback"), c.err());

        String md = Files.readString(Fixtures.onlyDrill(stateDir).resolve("report.md"));
        assertTrue(md.matches("(?s).*- failover \\(\\S+\\): (FAILED|TIMED_OUT) at config-server-up.*"), md);
        assertTrue(md.matches("(?s).*- failback \\(\\S+, because promote-db region2/dbms cannot be reverted\\): SUCCEEDED.*"), md);
        assertTrue(md.contains("- final verification (readiness-after): PASSED"), md);
        assertTrue(md.contains("**Final state**: verified: region1 serves again and the readiness checks pass"), md);
        assertTrue(md.contains("## failover: full-failover") && md.contains("## failback: failback")
                && md.contains("## readiness-after: readiness"), md);
        assertTrue(md.contains("**Verdict: FAILED"), md);

        // region 1 serves again, judged from outside
        assertEquals(Optional.of("10.77.1.10"), Lab.lookupAtBind("cfgmaster"));
        assertEquals("f", LabCli.inRecovery(LabHost.R1_DBMS));
        assertEquals("t", LabCli.inRecovery(LabHost.R2_DBMS));
        assertEquals(0, Lab.check().exitCode(), "lab/check after the drill:\n" + Lab.check().stdout());
    }
}
