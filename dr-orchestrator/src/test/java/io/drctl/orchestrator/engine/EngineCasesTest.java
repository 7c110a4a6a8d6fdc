package io.drctl.orchestrator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.Journal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's failure paths with fake actions (scripted per attempt, against a real state file) and
 * an injected clock, asserting the exact journal sequence, the final status and the exit code.
 */
class EngineCasesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;
    EngineHarness h;

    @BeforeEach
    void setUp() throws IOException {
        h = new EngineHarness(tmp);
    }

    static final List<String> ONE_ACTION_TIMED_OUT = List.of("run.started", "step.started s", "action.started s t1",
            "action.probed s t1", "action.applying s t1", "action.finished s t1", "step.finished s", "run.finished");

    @Test
    void timeoutDuringApply_manualClock_timedOutExit3WithResumeHint() throws Exception {
        h.clock = new ScaledClock(T0, 0); // moves only when the action advances it
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: s, type: fake, store: STORE, script: [advance], advance: 10m, timeout: 5m,
                      retry: { attempts: 3, backoff: 1s } }
                """).assertExit(ExitCodes.STEP_FAILED);
        assertEquals(ONE_ACTION_TIMED_OUT, h.brief());
        assertEquals("TIMED_OUT", h.status("action.finished", "s t1"));
        assertEquals("TIMED_OUT", h.runStatus());
        assertTrue(r.err().contains("drctl resume " + h.runId()), r.err());
        assertEquals(List.of(), h.storeLines());
    }

    @Test
    void timeoutDuringBackoff_fastClock_timedOutWithoutAnotherAttempt() throws Exception {
        h.clock = new ScaledClock(T0, 1000); // 5m of step timeout = 300 ms; a 1h backoff = 3.6 s
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: s, type: fake, store: STORE, script: [fail], timeout: 5m,
                      retry: { attempts: 5, backoff: 1h, maxBackoff: 1h } }
                """).assertExit(ExitCodes.STEP_FAILED);
        assertEquals(List.of("run.started", "step.started s", "action.started s t1", "action.probed s t1",
                "action.applying s t1", "action.attempt-failed s t1", "action.retrying s t1", "action.finished s t1",
                "step.finished s", "run.finished"), h.brief());
        assertEquals("TIMED_OUT", h.status("action.finished", "s t1"));
        assertTrue(h.journal().stream().filter(e -> e.event().equals("action.finished")).findFirst().orElseThrow()
                .str("error").contains("last error: t1: s t1: scripted failure"), h.brief().toString());
    }

    @Test
    void timeoutDuringVerify_fastClock_timedOut() throws Exception {
        h.clock = new ScaledClock(T0, 1000);
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: s, type: fake, store: STORE, verify: hang, timeout: 5m }
                """).assertExit(ExitCodes.STEP_FAILED);
        assertEquals(List.of("run.started", "step.started s", "action.started s t1", "action.probed s t1",
                "action.applying s t1", "action.applied s t1", "action.finished s t1", "step.finished s", "run.finished"),
                h.brief());
        assertEquals("TIMED_OUT", h.runStatus());
    }

    @Test
    void timeoutWithManyRetries_execRepro_neverAnInternalError() throws Exception {
        Fixtures.Cli r = h.run("""
                name: retry
                steps:
                  - id: fail
                    type: exec
                    command: "exit 1"
                    timeout: 2s
                    retry: {attempts: 50, backoff: 100ms, maxBackoff: 100ms}
                """).assertExit(ExitCodes.STEP_FAILED);
        assertFalse(r.all().contains("internal error"), r.all());
        assertEquals("TIMED_OUT", h.runStatus());
        List<String> brief = h.brief();
        assertEquals("run.finished", brief.get(brief.size() - 1));
        assertEquals(brief.stream().filter(b -> b.startsWith("action.started")).count(),
                brief.stream().filter(b -> b.startsWith("action.finished")).count(), brief.toString());
        assertTrue(brief.stream().filter(b -> b.startsWith("action.applying")).count() > 3, "it did retry: " + brief);
        assertTrue(r.err().contains("drctl resume " + h.runId()), r.err());
        assertEquals("TIMED_OUT", json(h.cli("status", h.runId(), "--output", "json").out()).get("status").asText());
    }

    @Test
    void retriesThenSucceeds_exactSequence() throws Exception {
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: s, type: fake, store: STORE, script: [fail, fail, ok], retry: { attempts: 3, backoff: 10ms } }
                """).assertExit(ExitCodes.OK);
        assertEquals(List.of("run.started", "step.started s", "action.started s t1", "action.probed s t1",
                "action.applying s t1", "action.attempt-failed s t1", "action.retrying s t1",
                "action.probed s t1", "action.applying s t1", "action.attempt-failed s t1", "action.retrying s t1",
                "action.probed s t1", "action.applying s t1", "action.applied s t1", "action.verified s t1",
                "action.finished s t1", "step.finished s", "run.finished"), h.brief());
        assertEquals(List.of("s t1"), h.storeLines());
    }

    @Test
    void bugInStepType_failsTheStepNotTheRun() throws Exception {
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: s, type: fake, store: STORE, script: [crash], retry: { attempts: 3, backoff: 10ms } }
                """).assertExit(ExitCodes.STEP_FAILED);
        assertEquals(List.of("run.started", "step.started s", "action.started s t1", "action.probed s t1",
                "action.applying s t1", "action.attempt-failed s t1", "action.finished s t1", "step.finished s",
                "run.finished"), h.brief());
        assertEquals("FAILED", h.runStatus());
    }

    @Test
    void abort_cancelsObserversAtOnce_changingStepFinishesItsCurrentAction() throws Exception {
        long t0 = System.nanoTime();
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: watch, type: fake, store: STORE, changes: false, probe: needed, script: [hang] }
                  - { id: stuck, type: fake, store: STORE, changes: false, probe: needed, script: [stubborn], stubbornMs: 3000 }
                  - { id: change, type: fake, store: STORE, targets: 2, parallelism: 1, script: [slow], stubbornMs: 400 }
                  - { id: bad, type: fake, store: STORE, script: [fatal] }
                """);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertTrue(took.compareTo(Duration.ofMillis(2500)) < 0, "observers cancelled within a second, run took " + took);
        assertEquals("CANCELLED", h.status("action.finished", "watch t1"));
        assertEquals("CANCELLED", h.status("action.finished", "stuck t1"), "interrupted after the grace period");
        assertEquals("SUCCEEDED", h.status("action.finished", "change t1"), "the changing action in flight finishes");
        assertEquals("SKIPPED", h.status("action.finished", "change t2"), "no further changing action starts");
        assertEquals(List.of("change t1"), h.storeLines());
        assertEquals("FAILED", h.runStatus());
        List<String> brief = h.brief();
        assertEquals("run.finished", brief.get(brief.size() - 1));
        Thread.sleep(3000); // the stubborn thread ends by itself: nothing more reaches the journal
        assertEquals(brief, h.brief());
    }

    @Test
    void bestEffortFailure_completedWithFailuresExit5_listedInStatus() throws Exception {
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: fence-old, type: fake, store: STORE, script: [fatal], onFailure: continue }
                  - { id: next, type: fake, store: STORE, dependsOn: [fence-old] }
                """).assertExit(ExitCodes.BEST_EFFORT_FAILED);
        assertTrue(r.out().contains("completed with 1 best-effort failure(s)"), r.out());
        assertTrue(r.out().contains("fence-old: FAILED"), r.out());
        assertEquals("COMPLETED_WITH_FAILURES", h.runStatus());
        Fixtures.Cli status = h.cli("status", h.runId(), "--output", "json");
        assertEquals("COMPLETED_WITH_FAILURES", json(status.out()).get("status").asText(), status.out());
        assertEquals("[\"fence-old: FAILED\"]", json(status.out()).get("bestEffortFailures").toString(), status.out());
        // resume retries the failed best-effort step
        Fixtures.Cli again = h.cli("resume", h.runId()).assertExit(ExitCodes.BEST_EFFORT_FAILED);
    }

    @Test
    void dryRun_failingCheckFails_checkAfterWouldApplyIsNotEvaluated() throws Exception {
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: check, type: fake, store: STORE, changes: false, probe: needed, script: [fatal] }
                """, "--dry-run");
        assertEquals(ExitCodes.STEP_FAILED, r.code(), "a failing read-only check fails a dry run too: " + r.all());
        assertEquals("FAILED", h.runStatus());

        Files.createDirectories(tmp.resolve("second"));
        EngineHarness h2 = new EngineHarness(tmp.resolve("second"));
        Fixtures.Cli r2 = h2.run("""
                name: t
                steps:
                  - { id: change, type: fake, store: STORE }
                  - { id: check, type: fake, store: STORE, changes: false, probe: needed, script: [fatal], dependsOn: [change] }
                """, "--dry-run").assertExit(ExitCodes.OK);
        assertEquals(List.of("run.started", "step.started change", "action.started change t1", "action.probed change t1",
                "action.would-apply change t1", "action.finished change t1", "step.finished change", "step.started check",
                "action.started check t1", "action.would-apply check t1", "action.finished check t1", "step.finished check",
                "run.finished"), h2.brief());
        assertEquals("WOULD_APPLY", h2.runStatus());
        assertEquals(List.of(), h2.storeLines());
    }

    @Test
    void rollbackThenResume_reappliesWhatWasReverted_observersNeverRolledBack() throws Exception {
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: a, type: fake, store: STORE }
                  - { id: look, type: fake, store: STORE, changes: false, dependsOn: [a] }
                  - { id: b, type: fake, store: STORE, dependsOn: [look] }
                """).assertExit(ExitCodes.OK);
        assertEquals(List.of("a t1", "b t1"), h.storeLines());
        assertTrue(r.out().matches("(?s).*\\nlook\\s+fake\\s+SUCCEEDED\\s+1\\s+0 .*"), "an observer changes nothing: " + r.out());

        Fixtures.Cli rb = h.cli("rollback", h.runId()).assertExit(ExitCodes.OK);
        assertEquals(List.of(), h.storeLines());
        assertTrue(h.brief().stream().noneMatch(b -> b.contains("look")
                && (b.startsWith("action.reverting") || b.startsWith("action.not-revertible"))), h.brief().toString());
        Fixtures.Cli st = h.cli("status", h.runId());
        assertTrue(st.out().contains(": REVERTED"), st.out());
        assertTrue(st.out().matches("(?s).*\\n  a\\s+REVERTED.*"), st.out());

        int before = h.brief().size();
        Fixtures.Cli resumed = h.cli("resume", h.runId()).assertExit(ExitCodes.OK);
        assertEquals(List.of("a t1", "b t1"), h.storeLines(), "re-applied, each once");
        List<String> after = h.brief().subList(before, h.brief().size());
        assertTrue(after.contains("action.applying a t1") && after.contains("action.applying b t1"), after.toString());
        assertTrue(after.indexOf("action.applying b t1") > after.indexOf("action.verified look t1")
                && after.indexOf("action.verified look t1") > after.indexOf("action.applying a t1"),
                "the check after a reverted step runs again, in order: " + after);
        assertEquals("SUCCEEDED", h.runStatus());
    }

    /** Runs {@code yaml} until an action's {@code kill} entry, leaving the journal as a SIGKILL at that moment would. */
    String killedRun(String yaml) throws Exception {
        Path snap = tmp.resolve("snap");
        FakeStepType.killHook = (step, target) -> {
            try {
                Path run = Fixtures.onlyRun(h.state);
                copyTree(run, snap.resolve(run.getFileName()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        h.run(yaml);
        FakeStepType.killHook = (s, t) -> { };
        String id = h.runId();
        deleteTree(h.runDir());
        copyTree(snap.resolve(id), h.state.resolve("runs").resolve(id));
        assertFalse(h.brief().contains("run.finished"), h.brief().toString());
        return id;
    }

    @Test
    void fateUnknown_remoteLikeAction_resumeAsksBeforeApplyingAgain() throws Exception {
        String id = killedRun("""
                name: t
                steps:
                  - { id: promote, type: fake, store: STORE, script: [kill, ok] }
                """);
        Fixtures.Cli no = h.cli("resume", id).assertExit(ExitCodes.STEP_FAILED);
        assertTrue(no.all().contains("not applied again without confirmation"), no.all());
        assertEquals(List.of(), h.storeLines());
        assertTrue(h.brief().contains("action.fate-unknown promote t1"), h.brief().toString());

        Fixtures.Cli yes = h.cli("resume", id, "--yes").assertExit(ExitCodes.OK);
        assertEquals(List.of("promote t1"), h.storeLines());
    }

    @Test
    void fateUnknown_butSatisfiedOrEndedWithDrctl_resumesWithoutAsking() throws Exception {
        String id = killedRun("""
                name: t
                steps:
                  - { id: local, type: fake, store: STORE, stopsWithDrctl: true, script: [kill, ok] }
                """);
        Fixtures.Cli r = h.cli("resume", id).assertExit(ExitCodes.OK);
        assertEquals(List.of("local t1"), h.storeLines());
        assertTrue(h.brief().contains("action.fate-unknown local t1"), h.brief().toString());
    }

    @Test
    void journalWithoutRunStarted_resumeRefusedNamingTheFile() throws Exception {
        Fixtures.Cli r = h.run("""
                name: t
                steps:
                  - { id: s, type: fake, store: STORE, script: [fatal] }
                """, "--dry-run").assertExit(ExitCodes.OK);
        Path journal = h.runDir().resolve(Journal.FILE);
        List<String> lines = Files.readAllLines(journal);
        Files.write(journal, lines.subList(1, lines.size()));
        Fixtures.Cli res = h.cli("resume", h.runId()).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(res.err().contains(journal.toString()), res.err());
        assertTrue(res.err().contains("no run.started"), res.err());
        assertEquals(List.of(), h.storeLines());
        assertEquals(lines.size() - 1, Files.readAllLines(journal).size(), "nothing appended");
    }

    static com.fasterxml.jackson.databind.JsonNode json(String text) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
