package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.JournalEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Engine behaviour through the in-process CLI, asserting journal event sequences and real side effects. */
class EngineTest extends LoopbackCase {
    static final String TWO_STEPS = """
            name: seq
            steps:
              - id: one
                type: exec
                command: "echo one >> OUT"
                unless: "grep -qx one OUT"
              - id: two
                type: exec
                command: "echo two >> OUT"
                dependsOn: [one]
            """;

    @Test
    void run_twoDependentExecSteps_journalsExactSequence() throws Exception {
        Fixtures.Cli r = run(TWO_STEPS).assertExit(ExitCodes.OK);
        assertEquals(List.of("one", "two"), lines());
        assertEquals(List.of(
                "run.started",
                "step.started one",
                "action.started one local",
                "action.probed one local",
                "action.applying one local",
                "action.applied one local",
                "action.verified one local",
                "action.finished one local",
                "step.finished one",
                "step.started two",
                "action.started two local",
                "action.probed two local",
                "action.applying two local",
                "action.applied two local",
                "action.verified two local",
                "action.finished two local",
                "step.finished two",
                "run.finished"), Fixtures.brief(Fixtures.onlyRun(state)));
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        assertEquals("NEEDED", events.get(3).str("state"));
        assertEquals("UNKNOWN", events.get(11).str("state"));
        assertEquals("SUCCEEDED", events.get(events.size() - 1).str("status"));
        // progress: one line per step start and end, then the summary table
        assertTrue(r.out().contains("-> one"), r.out());
        assertTrue(r.out().contains("<- two"), r.out());
        assertTrue(r.out().contains("STEP") && r.out().contains("CHANGED"), r.out());
    }

    @Test
    void run_probeSatisfied_skipsApplyAndJournalsSatisfied() throws Exception {
        Files.writeString(tmp.resolve("out.txt"), "one\n");
        Fixtures.Cli r = run("""
                name: sat
                steps:
                  - id: one
                    type: exec
                    command: "echo one >> OUT"
                    unless: "grep -qx one OUT"
                """).assertExit(ExitCodes.OK);
        assertEquals(List.of("one"), lines());
        assertEquals(List.of("run.started", "step.started one", "action.started one local", "action.probed one local",
                "action.verified one local", "action.finished one local", "step.finished one", "run.finished"),
                Fixtures.brief(Fixtures.onlyRun(state)));
        assertEquals("SATISFIED", Fixtures.journal(Fixtures.onlyRun(state)).get(5).str("status"));
    }

    @Test
    void runDryRun_executesNothing() throws Exception {
        Fixtures.Cli r = run("""
                name: dry
                steps:
                  - id: touch
                    type: exec
                    command: "touch DIR/marker"
                  - id: more
                    type: exec
                    command: "echo more >> OUT"
                    unless: "test -f DIR/never"
                    dependsOn: [touch]
                """, "--dry-run").assertExit(ExitCodes.OK);
        assertFalse(Files.exists(tmp.resolve("marker")), "dry run must not execute the command");
        assertEquals(List.of(), lines());
        List<String> brief = Fixtures.brief(Fixtures.onlyRun(state));
        assertTrue(brief.contains("action.would-apply touch local"), brief.toString());
        assertTrue(brief.contains("action.would-apply more local"), brief.toString());
        assertTrue(brief.stream().noneMatch(e -> e.startsWith("action.applying")), brief.toString());
        assertEquals("WOULD_APPLY", Fixtures.journal(Fixtures.onlyRun(state)).get(brief.size() - 1).str("status"));
    }

    @Test
    void run_retriesFailingCommandWithBackoff_thenSucceeds() throws Exception {
        Fixtures.Cli r = run("""
                name: retry
                steps:
                  - id: flaky
                    type: exec
                    command: "n=$(cat DIR/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > DIR/count; test $n -ge 3"
                    retry: { attempts: 4, backoff: 10ms }
                """);
        assertEquals(ExitCodes.OK, r.code(), r.all());
        assertEquals("3", Files.readString(tmp.resolve("count")).strip());
        List<String> brief = Fixtures.brief(Fixtures.onlyRun(state));
        assertEquals(2, brief.stream().filter(e -> e.startsWith("action.attempt-failed")).count(), brief.toString());
        assertEquals(2, brief.stream().filter(e -> e.startsWith("action.retrying")).count(), brief.toString());
        assertEquals(3, brief.stream().filter(e -> e.startsWith("action.applying")).count(), brief.toString());
    }

    @Test
    void run_failedStepWithAbort_skipsDependantsAndPrintsResumeCommand() throws Exception {
        Fixtures.Cli r = run("""
                name: abort
                steps:
                  - id: bad
                    type: exec
                    command: "echo boom >&2; exit 7"
                  - id: after
                    type: exec
                    command: "echo after >> OUT"
                    dependsOn: [bad]
                """);
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertEquals(List.of(), lines());
        String runId = onlyRunId();
        assertTrue(r.err().contains("./drctl resume " + runId + " --state-dir " + state), r.err());
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        JournalEvent failed = events.stream().filter(e -> e.event().equals("action.finished")).findFirst().orElseThrow();
        assertEquals("FAILED", failed.str("status"));
        assertTrue(failed.str("error").contains("expected exit 0, got 7: boom"), failed.str("error"));
        JournalEvent skipped = events.stream().filter(e -> e.event().equals("step.finished") && e.step().orElse("").equals("after"))
                .findFirst().orElseThrow();
        assertEquals("SKIPPED", skipped.str("status"));
    }

    @Test
    void run_failedStepWithContinue_runsDependants() throws Exception {
        Fixtures.Cli r = run("""
                name: cont
                steps:
                  - id: bad
                    type: exec
                    command: "exit 1"
                    onFailure: continue
                  - id: after
                    type: exec
                    command: "echo after >> OUT"
                    dependsOn: [bad]
                """);
        assertEquals(ExitCodes.BEST_EFFORT_FAILED, r.code(), "a failed best-effort step is not plain success: " + r.all());
        assertEquals(List.of("after"), lines());
        assertTrue(r.out().contains("FAILED"), r.out());
    }

    @Test
    void run_stepTimeout_killsCommandAndTimesOut() throws Exception {
        Fixtures.Cli r = run("""
                name: slow
                steps:
                  - id: sleepy
                    type: exec
                    command: "sleep 30; echo late >> OUT"
                    timeout: 1s
                """);
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertEquals(List.of(), lines());
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        assertEquals("TIMED_OUT", events.stream().filter(e -> e.event().equals("step.finished")).findFirst().orElseThrow().str("status"));
    }

    @Test
    void run_independentSteps_runInParallel() throws Exception {
        // each step waits (bounded) for the other's marker: only concurrent execution lets both succeed
        Fixtures.Cli r = run("""
                name: par
                steps:
                  - id: left
                    type: exec
                    command: "touch DIR/left; i=0; while [ ! -f DIR/right ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; test -f DIR/right"
                  - id: right
                    type: exec
                    command: "touch DIR/right; i=0; while [ ! -f DIR/left ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; test -f DIR/left"
                """);
        assertEquals(ExitCodes.OK, r.code(), r.all());
    }

    @Test
    void run_sshStepFansOutAcrossTargets_withBoundedParallelism() throws Exception {
        Fixtures.Cli r = run("""
                name: fan
                steps:
                  - id: hello
                    type: ssh
                    hosts: "role=app"
                    command: "echo hello-from-target"
                    parallelism: 1
                """).assertExit(ExitCodes.OK);
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        List<String> targets = events.stream().filter(e -> e.event().equals("action.applied")).map(e -> e.target().orElseThrow()).toList();
        assertEquals(List.of("region1/app", "region2/app"), targets);
        assertTrue(events.stream().filter(e -> e.event().equals("action.applied")).allMatch(e -> e.str("output").contains("hello-from-target")));
        // parallelism 1: the second target starts only after the first finished
        List<String> brief = events.stream().map(JournalEvent::brief).toList();
        assertTrue(brief.indexOf("action.finished hello region1/app") < brief.indexOf("action.started hello region2/app"), brief.toString());
    }

    @Test
    void run_waitTcp_satisfiedByListeningPortAndFailsOnClosedPort() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Fixtures.Cli r = run("""
                    name: tcp
                    steps:
                      - id: up
                        type: wait.tcp
                        hosts: "host=region1/app"
                        port: %d
                      - id: down
                        type: wait.tcp
                        hosts: "host=region1/app"
                        port: %d
                        within: 500ms
                        interval: 100ms
                    """.formatted(open.getLocalPort(), closed)).assertExit(ExitCodes.STEP_FAILED);
            Map<String, String> status = Fixtures.journal(Fixtures.onlyRun(state)).stream()
                    .filter(e -> e.event().equals("action.finished"))
                    .collect(Collectors.toMap(e -> e.step().orElseThrow(), e -> e.str("status") + " " + e.str("error")));
            assertTrue(status.get("up").startsWith("SATISFIED"), status.toString());
            assertTrue(status.get("down").startsWith("FAILED") && status.get("down").contains("expected 127.0.0.1:" + closed
                    + " to accept TCP within"), status.toString());
        }
    }

    @Test
    void resume_afterFailure_skipsSucceededStepsAndCompletes() throws Exception {
        Fixtures.Cli r = run("""
                name: res
                steps:
                  - id: first
                    type: exec
                    command: "echo first >> OUT"
                  - id: gate
                    type: exec
                    command: "test -f DIR/flag"
                    dependsOn: [first]
                  - id: last
                    type: exec
                    command: "echo last >> OUT"
                    dependsOn: [gate]
                """).assertExit(ExitCodes.STEP_FAILED);
        Files.writeString(tmp.resolve("flag"), "");
        String runId = onlyRunId();
        Fixtures.Cli again = resume(runId).assertExit(ExitCodes.OK);
        assertEquals(List.of("first", "last"), lines());
        List<String> brief = Fixtures.brief(Fixtures.onlyRun(state));
        int resumed = brief.indexOf("run.resumed");
        assertEquals(List.of("run.resumed", "step.already-done first", "step.started gate"), brief.subList(resumed, resumed + 3));
        Fixtures.Cli status = Fixtures.cli("status", runId, "--state-dir", state.toString(), "--output", "json");
        assertTrue(status.out().contains("\"status\" : \"SUCCEEDED\""), status.out());
    }

    @Test
    void rollback_revertsChangedStepsInReverseOrder_once() throws Exception {
        Files.writeString(tmp.resolve("out.txt"), "");
        Fixtures.Cli r = run("""
                name: rb
                steps:
                  - id: a
                    type: exec
                    command: "echo a >> OUT"
                    revert: "echo undo-a >> OUT"
                  - id: b
                    type: exec
                    command: "echo b >> OUT"
                    revert: "echo undo-b >> OUT"
                    dependsOn: [a]
                  - id: c
                    type: exec
                    command: "true"
                    dependsOn: [b]
                """).assertExit(ExitCodes.OK);
        String runId = onlyRunId();
        Fixtures.Cli dry = Fixtures.cli("rollback", runId, "--dry-run", "--state-dir", state.toString())
                .assertExit(ExitCodes.OK);
        assertEquals(List.of("a", "b"), lines(), "a dry-run rollback reverts nothing");
        Fixtures.Cli rb = Fixtures.cli("rollback", runId, "--state-dir", state.toString()).assertExit(ExitCodes.OK);
        assertEquals(List.of("a", "b", "undo-b", "undo-a"), lines());
        List<String> brief = Fixtures.brief(Fixtures.onlyRun(state));
        int start = brief.lastIndexOf("rollback.started");
        assertEquals(List.of("rollback.started", "action.not-revertible c local", "action.reverting b local",
                "action.reverted b local", "action.reverting a local", "action.reverted a local", "rollback.finished"),
                brief.subList(start, brief.size()));
        Fixtures.Cli twice = Fixtures.cli("rollback", runId, "--state-dir", state.toString()).assertExit(ExitCodes.OK);
        assertEquals(List.of("a", "b", "undo-b", "undo-a"), lines(), "a second rollback reverts nothing again");
    }

    @Test
    void failedStep_cancelsARealWaitInFlight_runEndsAtOnce() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens here once closed
        }
        long t0 = System.nanoTime();
        Fixtures.Cli r = run("""
                name: abort
                steps:
                  - { id: config-server-up, type: wait.tcp, hosts: "region=region1 role=app", port: PORT, within: 5m }
                  - { id: verify-fence, type: exec, command: "exit 3" }
                """.replace("PORT", Integer.toString(closed)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertTrue(ms < 5000, "the 5-minute wait was cancelled when the other step failed; run took " + ms + " ms");
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        assertEquals("CANCELLED", events.stream().filter(e -> e.brief().equals("step.finished config-server-up"))
                .findFirst().orElseThrow().str("status"));
        assertEquals("FAILED", events.get(events.size() - 1).str("status"));
    }

    @Test
    void dryRun_unlessNotDeclaredReadOnly_isNotRun_andSaysSo() throws Exception {
        Fixtures.Cli r = run("""
                name: dry-unless
                steps:
                  - { id: guarded, type: exec, command: "touch DIR/applied", unless: "touch DIR/unless-ran; false" }
                  - { id: readonly, type: exec, command: "touch DIR/applied2", unless: "test -f DIR/never",
                      unlessReadOnly: true }
                """, "--dry-run");
        assertEquals(ExitCodes.OK, r.code(), r.all());
        assertFalse(Files.exists(tmp.resolve("unless-ran")), "a dry run runs no `unless` not declared read-only");
        assertFalse(Files.exists(tmp.resolve("applied")) || Files.exists(tmp.resolve("applied2")));
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(state));
        JournalEvent probe = events.stream().filter(e -> e.brief().equals("action.probed guarded local")).findFirst().orElseThrow();
        assertEquals("UNKNOWN", probe.str("state"));
        assertTrue(probe.str("current").contains("not run in a dry run"), probe.toString());
        JournalEvent ro = events.stream().filter(e -> e.brief().equals("action.probed readonly local")).findFirst().orElseThrow();
        assertEquals("NEEDED", ro.str("state"), "a read-only unless is run: " + ro);
    }
}
