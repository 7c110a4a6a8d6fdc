package io.drctl.orchestrator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.ActionKey;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.RunState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random DAGs of fake steps with random failures, timeouts, hangs, bugs, aborts and kills (a kill
 * keeps the journal exactly as it was at that moment, torn mid-line or not, and resumes from it), with
 * invariants checked on every journal:
 * <ul>
 *   <li>the journal parses; it ends with {@code run.finished}, whose status is never RUNNING;</li>
 *   <li>every started action ends (per invocation: between {@code run.started/resumed} and {@code run.finished});</li>
 *   <li>no changing action is applied twice without a failed attempt (or timeout), an unknown probe or a crash between, and
 *       the store (the "system") never holds a change twice;</li>
 *   <li>best-effort failures never end in plain SUCCEEDED; no invocation exits 1.</li>
 * </ul>
 * Bounded: {@code -Ddrctl.random.runs} cases (default 200), each with short real timeouts. The seed is
 * printed; replay with {@code -Ddrctl.random.seed=N}.
 */
class EngineRandomizedTest {
    static final String[] SCRIPT = {"ok", "ok", "ok", "ok", "fail", "fatal", "hang", "crash", "stubborn"};

    @TempDir
    Path tmp;

    @Test
    void randomDagsWithFailuresTimeoutsAndKills_invariantsHold() throws Exception {
        int runs = Integer.getInteger("drctl.random.runs", 200);
        long seed = Fixtures.seed("EngineRandomizedTest", "drctl.random.seed", "runs=" + runs);
        Random rnd = new Random(seed);
        for (int i = 0; i < runs; i++) {
            long caseSeed = rnd.nextLong();
            Path dir = Files.createDirectories(tmp.resolve("c" + i));
            try {
                oneCase(new Random(caseSeed), dir);
            } catch (AssertionError | Exception e) {
                throw new AssertionError("case " + i + " (seed " + seed + ", case seed " + caseSeed + ") in " + dir + ": "
                        + e.getMessage(), e);
            }
            EngineCasesTest.deleteTree(dir);
        }
    }

    void oneCase(Random rnd, Path dir) throws Exception {
        EngineHarness h = new EngineHarness(dir);
        int steps = 1 + rnd.nextInt(6);
        boolean withKill = rnd.nextInt(3) == 0;
        int killStep = rnd.nextInt(steps);
        StringBuilder rb = new StringBuilder("name: random\nsteps:\n");
        for (int s = 0; s < steps; s++) {
            List<String> deps = new ArrayList<>();
            for (int d = 0; d < s; d++) {
                if (rnd.nextInt(3) == 0) {
                    deps.add("s" + d);
                }
            }
            List<String> script = new ArrayList<>();
            int len = 1 + rnd.nextInt(3);
            for (int a = 0; a < len; a++) {
                script.add(SCRIPT[rnd.nextInt(SCRIPT.length)]);
            }
            if (withKill && s == killStep) {
                script.add(0, "kill");
            }
            boolean changes = rnd.nextInt(4) != 0;
            String probe = changes ? (rnd.nextInt(4) == 0 ? "unknown" : "store") : "needed";
            rb.append("  - { id: s").append(s).append(", type: fake, store: STORE")
                    .append(", targets: ").append(1 + rnd.nextInt(3))
                    .append(", parallelism: ").append(1 + rnd.nextInt(2))
                    .append(", changes: ").append(changes)
                    .append(", stopsWithDrctl: ").append(rnd.nextBoolean())
                    .append(", probe: ").append(probe)
                    .append(", stubbornMs: ").append(50 + rnd.nextInt(150))
                    .append(", script: [").append(String.join(", ", script)).append("]")
                    .append(", timeout: ").append(150 + rnd.nextInt(400)).append("ms")
                    .append(", retry: { attempts: ").append(1 + rnd.nextInt(3)).append(", backoff: 10ms }")
                    .append(", onFailure: ").append(rnd.nextInt(3) == 0 ? "continue" : "abort");
            if (!deps.isEmpty()) {
                rb.append(", dependsOn: [").append(String.join(", ", deps)).append("]");
            }
            rb.append(" }\n");
        }
        String yaml = rb.toString();
        Path snap = dir.resolve("snap");
        AtomicBoolean killed = new AtomicBoolean();
        String tear = "{\"seq\": 999999, \"at\": \"2026-01-01T00:00:00Z\", \"event\":";
        int tearAt = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(tear.length()) : 0;
        FakeStepType.killHook = (step, target) -> {
            if (killed.compareAndSet(false, true)) {
                try {
                    Path run = Fixtures.onlyRun(h.state);
                    EngineCasesTest.copyTree(run, snap.resolve("run"));
                    if (Files.exists(h.store)) {
                        Files.copy(h.store, snap.resolve("store"));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        Fixtures.Cli first = h.run(yaml);
        assertNotEquals(ExitCodes.INTERNAL, first.code(), first.all());
        if (killed.get()) {
            // the crashed state: the journal as of the kill (a partly written next line when tearAt > 0), the store too
            Path runDir = h.runDir();
            EngineCasesTest.deleteTree(runDir);
            EngineCasesTest.copyTree(snap.resolve("run"), runDir);
            Files.deleteIfExists(h.store);
            if (Files.exists(snap.resolve("store"))) {
                Files.copy(snap.resolve("store"), h.store);
            }
            if (tearAt > 0) {
                Files.writeString(runDir.resolve(Journal.FILE), tear.substring(0, tearAt), java.nio.file.StandardOpenOption.APPEND);
            }
            FakeStepType.killHook = (s, t) -> { };
            Fixtures.Cli resumed = h.cli("resume", h.runId(), "--yes");
            assertNotEquals(ExitCodes.INTERNAL, resumed.code(), resumed.all());
        }
        checkInvariants(h, yaml);
        if (!h.runStatus().equals("SUCCEEDED") && rnd.nextBoolean()) {
            Fixtures.Cli again = h.cli("resume", h.runId(), "--yes");
            assertNotEquals(ExitCodes.INTERNAL, again.code(), again.all());
            checkInvariants(h, yaml);
        }
    }

    static void checkInvariants(EngineHarness h, String yaml) throws Exception {
        List<JournalEvent> events = Journal.read(h.runDir().resolve(Journal.FILE)); // parses
        String where = "runbook:\n" + yaml + "journal: " + events.stream().map(JournalEvent::brief).toList();
        assertFalse(events.isEmpty(), where);
        JournalEvent last = events.get(events.size() - 1);
        assertEquals("run.finished", last.event(), where);
        assertNotEquals("RUNNING", last.str("status"), where);
        // every action started in an invocation ends in it; nothing is written for it after it ended
        Map<ActionKey, Integer> open = new HashMap<>();
        for (JournalEvent e : events) {
            if (e.event().equals("run.started") || e.event().equals("run.resumed")) {
                open.clear();
            }
            if (e.target().isEmpty() || e.step().isEmpty()) {
                if (e.event().equals("run.finished")) {
                    assertTrue(open.isEmpty(), "actions still open at run.finished: " + open + "\n" + where);
                }
                continue;
            }
            ActionKey k = new ActionKey(e.step().get(), e.target().get());
            switch (e.event()) {
                case "action.started" -> open.merge(k, 1, Integer::sum);
                case "action.finished" -> {
                    if (open.containsKey(k)) {
                        open.remove(k);
                    } else {
                        // SKIPPED before starting (the run aborted) is the one finish without a start
                        assertEquals("SKIPPED", e.str("status"), "finished without start: " + k + "\n" + where);
                    }
                }
                default -> {
                    if (!e.event().equals("action.already-done")) {
                        assertTrue(open.containsKey(k), e.brief() + " outside its action's start/finish\n" + where);
                    }
                }
            }
        }
        // no changing action applied twice without a failed attempt, an unknown probe or a kill between
        Map<ActionKey, String> lastEvent = new LinkedHashMap<>();
        Map<ActionKey, Boolean> mayApplyAgain = new HashMap<>();
        java.util.Set<ActionKey> observers = new java.util.HashSet<>();
        for (JournalEvent e : events) {
            if (e.target().isEmpty() || e.step().isEmpty()) {
                continue;
            }
            ActionKey k = new ActionKey(e.step().get(), e.target().get());
            if (e.event().equals("action.started") && Boolean.FALSE.equals(e.data().get("changes"))) {
                observers.add(k); // a check "applies" (checks) again whenever it runs again
            }
            switch (e.event()) {
                case "action.applying" -> {
                    String before = lastEvent.get(k);
                    assertEquals("action.probed", before, "apply without a probe right before it: " + k + "\n" + where);
                    if (mayApplyAgain.containsKey(k) && !observers.contains(k)) {
                        assertTrue(mayApplyAgain.get(k), "applied twice without a failure or unknown probe between: " + k
                                + "\n" + where);
                    }
                    mayApplyAgain.put(k, false);
                }
                case "action.attempt-failed", "action.fate-unknown" -> mayApplyAgain.put(k, true);
                case "action.finished" -> {
                    if (!"SUCCEEDED".equals(e.str("status")) && !"SATISFIED".equals(e.str("status"))) {
                        mayApplyAgain.put(k, true); // cut off by a timeout or cancellation: a failed attempt
                    }
                }
                case "action.probed" -> {
                    if (!"SATISFIED".equals(e.str("state")) && !"NEEDED".equals(e.str("state"))) {
                        mayApplyAgain.put(k, true);
                    }
                }
                default -> {
                }
            }
            if (!e.event().equals("action.note")) {
                lastEvent.put(k, e.event());
            }
        }
        // the system holds each honest-probed change at most once
        List<String> store = h.storeLines();
        for (String line : store) {
            String[] st = line.split(" ");
            boolean honest = yaml.contains("id: " + st[0] + ", ") && yaml.lines().filter(l -> l.contains("id: " + st[0] + ","))
                    .anyMatch(l -> l.contains("probe: store"));
            if (honest) {
                assertEquals(1, store.stream().filter(line::equals).count(), "change applied twice: " + line + "\n" + where);
            }
        }
        // best-effort failures never end in plain SUCCEEDED
        if ("SUCCEEDED".equals(last.str("status"))) {
            RunState state = RunState.replay(events);
            state.steps().forEach((id, st) -> assertTrue(st.isDone(), "run SUCCEEDED but " + id + " is " + st + "\n" + where));
        }
    }
}
