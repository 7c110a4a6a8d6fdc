package io.drctl.orchestrator;

import static io.drctl.orchestrator.report.LocalDrill.FAILBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guaranteed failback: a drill whose failover fails part-way is rolled back (every change revertible) or failed back
 * (a change is not), unless {@code --keep}, then verified; the report lists the runs and the final state, and the
 * exit code says the drill failed. And a forced drill with {@code --assume-lost} passes when only the lost target is
 * missing, its report naming the fault and what it skipped. The runbooks' exec steps write to {@code OUT}, so what
 * each run changed and undid is observable.
 */
class DrillFailbackTest extends LoopbackCase {

    /** A failover whose first step changes something (OUT), then FAIL decides whether the second one fails. */
    static final String FAILOVER = """
            name: over
            params:
              from: { default: region1 }
              to: { default: region2 }
            steps:
              - { id: move, type: exec, command: "echo moved >> OUT"REVERT }
              - { id: check, type: exec, command: "FAIL", dependsOn: [move] }
            """;

    static final String READINESS = """
            name: ready
            params:
              active: { default: region1 }
              standby: { default: region2 }
            steps:
              - { id: normal, type: exec, command: "echo verified >> OUT" }
            """;

    private Fixtures.Cli drill(String failover, String failback, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("drill", "--state-dir", state.toString(), "-i", inv.toString(),
                "--failover", runbook(failover).toString(), "--failback", runbook(failback).toString(),
                "--readiness", runbook(READINESS).toString()));
        args.addAll(List.of(extra));
        return Fixtures.cli(args.toArray(String[]::new));
    }

    private String reportMd() throws IOException {
        return Files.readString(Fixtures.onlyDrill(state).resolve("report.md"));
    }

    @Test
    void failoverFailsPartWay_everyChangeRevertible_rolledBack_thenVerified_exit3() throws Exception {
        Fixtures.Cli r = drill(FAILOVER.replace("REVERT", ", revert: \"echo undone >> OUT\"").replace("FAIL", "exit 9"), FAILBACK)
                .assertExit(ExitCodes.STEP_FAILED);
        assertEquals(List.of("verified", "moved", "undone", "verified"), lines(),
                "readiness, the failover's change, its revert, the final verification; no failback run");
        assertTrue(r.err().contains("failover failed part-way at check"), r.err());
        assertTrue(r.err().contains("rolling the failover back"), r.err());
        String md = reportMd();
        assertTrue(md.contains("## Runs"), md);
        assertTrue(md.matches("(?s).*- failover \\(\\S+\\): FAILED at check.*"), md);
        assertTrue(md.matches("(?s).*- rollback of \\S+ \\(because every change can be reverted \\(move local\\)\\): REVERTED.*"), md);
        assertTrue(md.contains("- final verification (readiness-after): PASSED"), md);
        assertTrue(md.contains("**Final state**: verified: region1 serves again and the readiness checks pass"), md);
        assertTrue(md.contains("## rollback: over"), "the rollback is a phase of the report: " + md);
        assertTrue(md.contains("**Verdict: FAILED"), md);
    }

    @Test
    void failoverFailsPartWay_aChangeNotRevertible_failedBack_thenVerified_exit3() throws Exception {
        Fixtures.Cli r = drill(FAILOVER.replace("REVERT", "").replace("FAIL", "exit 9"), FAILBACK)
                .assertExit(ExitCodes.STEP_FAILED);
        assertEquals(List.of("verified", "moved", "BACK", "verified"), lines());
        assertTrue(r.err().contains("move local cannot be reverted: running the failback"), r.err());
        String md = reportMd();
        assertTrue(md.matches("(?s).*- failover \\(\\S+\\): FAILED at check.*"), md);
        assertTrue(md.matches("(?s).*- failback \\(\\S+, because move local cannot be reverted\\): SUCCEEDED.*"), md);
        assertTrue(md.contains("- final verification (readiness-after): PASSED"), md);
        assertTrue(md.contains("## failover: over") && md.contains("## failback: back") && md.contains("## readiness-after"), md);
        assertTrue(r.out().contains("final state: verified: region1 serves again"), r.out());
    }

    @Test
    void failbackAlsoFails_finalStateSaysWhatIsLeftAndHowToResume() throws Exception {
        Fixtures.Cli r = drill(FAILOVER.replace("REVERT", "").replace("FAIL", "exit 9"),
                FAILBACK.replace("echo BACK >> OUT", "exit 4")).assertExit(ExitCodes.STEP_FAILED);
        assertEquals(List.of("verified", "moved"), lines(), "no final verification after a failed failback");
        String md = reportMd();
        assertTrue(md.matches("(?s).*\\*\\*Final state\\*\\*: NOT normal: the failover failed at check .* and the failback failed"
                + " at move-back .*; fix the cause, then: drctl resume \\S+ --state-dir .*"), md);
        assertTrue(r.err().contains("drctl resume "), r.err());
    }

    @Test
    void keep_leavesTheChangesAndSaysHowToGoOn() throws Exception {
        Fixtures.Cli r = drill(FAILOVER.replace("REVERT", ", revert: \"echo undone >> OUT\"").replace("FAIL", "exit 9"), FAILBACK,
                "--keep").assertExit(ExitCodes.STEP_FAILED);
        assertEquals(List.of("verified", "moved"), lines(), "--keep: nothing undone, nothing failed back");
        assertTrue(r.err().contains("--keep: its changes stay as they are"), r.err());
        assertTrue(r.err().contains("drctl rollback "), r.err());
        assertTrue(reportMd().contains("**Final state**: NOT normal: part-way failed over, kept (--keep)"), reportMd());
    }

    @Test
    void forcedDrill_assumeLost_passesWhenOnlyTheLostHostIsMissing_reportNamesFaultAndSkips() throws Exception {
        String over = """
                name: over
                params:
                  from: { default: region1 }
                  to: { default: region2 }
                steps:
                  - id: fence-old
                    type: ssh
                    hosts: "region=${from} role=dbms"
                    command: "echo fenced >> OUT"
                    whenForced: { onFailure: continue, timeout: 5s, retry: { attempts: 1 } }
                  - { id: move, type: exec, command: "echo moved >> OUT", unless: "grep -q moved OUT", dependsOn: [fence-old] }
                """;
        Fixtures.Cli r = drill(over, FAILBACK, "--mode", "forced", "--assume-lost", "region1/dbms").assertExit(ExitCodes.OK);
        assertEquals(List.of("verified", "moved", "fenced", "BACK", "verified"), lines(),
                "the lost host was not contacted during the failover; once it is back, the failover is completed"
                        + " (fence-old, which its loss skipped), then failed back and checked");
        assertTrue(r.out().contains("assumed lost during the failover: region1/dbms"), r.out());
        String md = reportMd();
        assertTrue(md.contains("## Injected faults"), md);
        assertTrue(md.contains("- region1/dbms: hosts [region1/dbms], DNS servers [] treated as powered off and unreachable"), md);
        assertTrue(md.contains("- fence-old region1/dbms: ssh to region1/dbms not done (region1/dbms)"), md);
        assertTrue(md.contains("every best-effort failure is on a step that skipped an assumed-lost target: passed"), md);
        assertTrue(md.matches("(?s).*- failover completed with region1/dbms back \\(resume of \\S+, its safety rules overridden: "
                + "drill: region1/dbms assumed lost during the failover and back untouched; completing the steps its loss"
                + " skipped\\): SUCCEEDED.*"), md);
        assertTrue(md.contains("**Verdict: PASSED"), md);
    }

    @Test
    void forcedDrill_bestEffortFailureNotFromTheFault_doesNotPass() throws Exception {
        String over = """
                name: over
                steps:
                  - { id: other, type: exec, command: "exit 3", onFailure: continue }
                  - { id: move, type: exec, command: "echo moved >> OUT", dependsOn: [other] }
                """;
        drill(over, FAILBACK, "--mode", "forced", "--assume-lost", "region1/dbms").assertExit(ExitCodes.BEST_EFFORT_FAILED);
        assertTrue(reportMd().contains("**Verdict: FAILED"), reportMd());
    }

    @Test
    void assumeLost_badValueOrPlannedMode_exit2_nothingRuns() throws Exception {
        Fixtures.Cli bad = drill(FAILOVER.replace("REVERT", "").replace("FAIL", "true"), FAILBACK, "--mode", "forced",
                "--assume-lost", "region9").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(bad.err().contains("--assume-lost region9: inventory `loopback-test` has no region, host or DNS server `region9`"),
                bad.err());
        assertTrue(bad.err().contains("region1, region2, region1/app, region1/dbms, region2/app, dns:ns1")
                || bad.err().contains("did you mean"), bad.err());
        Fixtures.Cli planned = drill(FAILOVER.replace("REVERT", "").replace("FAIL", "true"), FAILBACK,
                "--assume-lost", "region1/dbms").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(planned.err().contains("needs --mode forced"), planned.err());
        assertEquals(List.of(), lines(), "nothing ran, not even the readiness checks");
        assertFalse(Files.exists(state.resolve("drills")), "no drill started");
    }

    @Test
    void help_documentsTheOptionsWithAnExample() {
        Fixtures.Cli r = Fixtures.cli("drill", "--help").assertExit(ExitCodes.OK);
        assertTrue(r.all().contains("--assume-lost=TARGET"), r.all());
        assertTrue(r.all().contains("--keep"), r.all());
        assertTrue(r.all().contains("--mode forced \\\n      --assume-lost region1/dbms"), r.all());
    }
}
