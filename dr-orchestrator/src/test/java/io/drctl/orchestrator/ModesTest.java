package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code --mode planned|forced}: planned (the default) insists that every step succeeds; forced applies each step's
 * {@code whenForced:} (best effort, short timeouts) and ends "completed with best-effort failures" (exit 5) listing
 * what it could not do. The mode is journaled with the params, so resume keeps it.
 */
class ModesTest extends ExampleInventoryCase {
    Path runbook() throws Exception {
        return writeRunbook("""
                name: modes
                steps:
                  - id: old-region
                    type: exec
                    command: "exit 7"
                    timeout: 1m
                    whenForced: { onFailure: continue, timeout: 5s, retry: { attempts: 1 } }
                  - id: new-region
                    type: exec
                    command: "echo done >> %s"
                    dependsOn: []
                """.formatted(tmp.resolve("OUT")));
    }

    @Test
    void planned_aStepAgainstTheOldRegionFails_theRunFails() throws Exception {
        Fixtures.Cli run = Fixtures.cli("run", "-i", EXAMPLE.toString(), runbook().toString(), "--yes",
                "--state-dir", tmp.resolve("state").toString()).assertExit(ExitCodes.STEP_FAILED);
        assertFalse(run.out().contains("best-effort"), run.out());
    }

    @Test
    void forced_theSameFailureIsBestEffort_exit5_listed_andJournaledMode() throws Exception {
        Path state = tmp.resolve("state");
        Fixtures.Cli run = Fixtures.cli("run", "-i", EXAMPLE.toString(), runbook().toString(), "--yes", "--mode", "forced",
                "--state-dir", state.toString()).assertExit(ExitCodes.BEST_EFFORT_FAILED);
        assertTrue(run.out().contains("completed with 1 best-effort failure(s)"), run.out());
        assertTrue(run.out().contains("  old-region: FAILED"), run.out());
        assertEquals("done\n", Files.readString(tmp.resolve("OUT")));
        String journal = Files.readString(Fixtures.onlyRun(state).resolve("journal.jsonl"));
        assertTrue(journal.contains("\"mode\":\"forced\""), "the mode is journaled with the params: " + journal.lines().findFirst().orElse(""));
    }

    @Test
    void plan_showsWhatForcedChanges_andABadModeIsAnInputError() {
        Path rb = Fixtures.repoRoot().resolve("runbooks/full-failover.yaml");
        Fixtures.Cli planned = Fixtures.cli("plan", "--offline", "-i", EXAMPLE.toString(), rb.toString());
        Fixtures.Cli forced = Fixtures.cli("plan", "--offline", "-i", EXAMPLE.toString(), rb.toString(), "--mode", "forced");
        assertEquals(ExitCodes.OK, planned.code(), planned.all());
        assertEquals(ExitCodes.OK, forced.code(), forced.all());
        assertTrue(planned.out().contains("1. fence-old [firewall.fence] timeout 1m"), planned.out());
        assertTrue(forced.out().contains("1. fence-old [firewall.fence] timeout 15"), forced.out());
        assertTrue(forced.out().contains("mode=forced"), forced.out());
        Fixtures.Cli bad = Fixtures.cli("plan", "--offline", "-i", EXAMPLE.toString(), rb.toString(), "--mode", "panic")
                .assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(bad.err().contains("mode 'panic' is neither planned nor forced"), bad.err());
    }
}
