package io.drctl.orchestrator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash mid-write leaves the journal's last line torn at any byte. For every byte offset of that
 * line: resume repairs the tail (journaled), finishes the run with the side effect exactly once, seq
 * numbers stay unique and increasing, and {@code status} and {@code history} keep working. A corrupt
 * line that is not the last makes only that run unreadable: the others stay listed.
 */
class TornJournalTest {
    @TempDir
    Path tmp;

    @Test
    void tornAtEveryOffsetOfTheApplyingLine_resumeRepairsAndCompletesOnce() throws Exception {
        EngineHarness h = new EngineHarness(tmp);
        Fixtures.Cli first = h.run("""
                name: torn
                steps:
                  - { id: one, type: fake, store: STORE }
                  - { id: two, type: fake, store: STORE, dependsOn: [one] }
                """).assertExit(ExitCodes.OK);
        Path journal = h.runDir().resolve(Journal.FILE);
        byte[] full = Files.readAllBytes(journal);
        List<String> lines = Files.readAllLines(journal);
        int cut = indexOf(lines, "\"event\":\"action.applying\",\"step\":\"two\"");
        byte[] keep = String.join("\n", lines.subList(0, cut)).concat("\n").getBytes(StandardCharsets.UTF_8);
        byte[] torn = lines.get(cut).concat("\n").getBytes(StandardCharsets.UTF_8);
        Path pristine = tmp.resolve("pristine");
        EngineCasesTest.copyTree(h.state, pristine);
        for (int k = 0; k <= torn.length; k++) {
            EngineCasesTest.deleteTree(h.state);
            EngineCasesTest.copyTree(pristine, h.state);
            byte[] content = new byte[keep.length + k];
            System.arraycopy(keep, 0, content, 0, keep.length);
            System.arraycopy(torn, 0, content, keep.length, k);
            Files.write(journal, content);
            Files.writeString(h.store, "one t1\n"); // the state of the system when the line was being written
            FakeStepType.ATTEMPTS.clear();

            // --yes: once the applying line survives whole, that apply's fate is unknown and resume asks first
            Fixtures.Cli r = h.cli("resume", h.runId(), "--yes");
            String at = "torn at byte " + k + " of " + torn.length + ": ";
            assertEquals(ExitCodes.OK, r.code(), at + r.all());
            assertEquals(List.of("one t1", "two t1"), h.storeLines(), at);
            List<JournalEvent> events = Journal.read(journal);
            for (int i = 1; i < events.size(); i++) {
                assertEquals(events.get(i - 1).seq() + 1, events.get(i).seq(), at + "seq numbers continue without reuse");
            }
            boolean repaired = events.stream().anyMatch(e -> e.event().equals("journal.repaired"));
            boolean partial = k > 0 && k < torn.length - 1; // the whole line without its newline is kept, not cut
            assertEquals(partial, repaired, at + "a torn tail is cut and the repair journaled");
            assertEquals("SUCCEEDED", h.runStatus(), at);
            Fixtures.Cli st = h.cli("status", h.runId());
            assertEquals(ExitCodes.OK, st.code(), at + st.all());
            Fixtures.Cli hist = h.cli("history");
            assertEquals(ExitCodes.OK, hist.code(), at + hist.all());
            assertTrue(hist.out().contains(h.runId()), at + hist.out());
        }
        assertTrue(full.length > 0);
    }

    @Test
    void corruptMiddleLine_onlyThatRunIsSkippedWithAWarning() throws Exception {
        EngineHarness h = new EngineHarness(tmp);
        h.run("""
                name: bad
                steps:
                  - { id: one, type: fake, store: STORE }
                """);
        String badId = h.runId();
        Path badJournal = h.runDir().resolve(Journal.FILE);
        List<String> lines = new ArrayList<>(Files.readAllLines(badJournal));
        lines.set(2, "{\"seq\": 3, garbage");
        Files.write(badJournal, lines);
        Thread.sleep(1100); // run ids are per second
        EngineHarness good = new EngineHarness(Files.createDirectories(tmp.resolve("g")));
        Fixtures.Cli ok = Fixtures.cli(h.runtime(), "run", "--state-dir", h.state.toString(), good.inventory.toString(),
                h.runbook("""
                        name: good
                        steps:
                          - { id: one, type: fake, store: STORE, probe: needed }
                        """).toString()).assertExit(ExitCodes.OK);

        Fixtures.Cli hist = h.cli("history").assertExit(ExitCodes.OK);
        assertTrue(hist.out().contains("good"), hist.out());
        assertTrue(hist.err().contains("warning: skipping a run whose journal cannot be read") && hist.err().contains(badId),
                hist.err());
        Fixtures.Cli status = h.cli("status").assertExit(ExitCodes.OK);
        Fixtures.Cli statusBad = h.cli("status", badId).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(statusBad.err().contains(badJournal + ":3"), statusBad.err());
        Fixtures.Cli resumeBad = h.cli("resume", badId);
        assertEquals(ExitCodes.INVALID_INPUT, resumeBad.code(), "a corrupt journal is refused, not an internal error: "
                + resumeBad.all());
    }

    static int indexOf(List<String> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + fragment + " in " + lines);
    }
}
