package io.drctl.orchestrator.readiness;

import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Keeps a scheduled readiness from filling the state directory: deletes the oldest <em>finished</em> runs of
 * the readiness runbook beyond the newest {@code keep}. Runs of any other runbook, and unfinished runs, are
 * never touched.
 */
public final class RunPruner {
    private RunPruner() {
    }

    /**
     * @param runbookName the readiness runbook's {@code name}
     * @param keep        how many finished readiness runs to keep (at least 1)
     * @return how many run directories were deleted
     */
    public static int prune(RunStore store, String runbookName, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, got " + keep);
        }
        int kept = 0;
        int deleted = 0;
        for (String id : store.runIds()) { // newest first
            Path dir = store.runDir(id);
            List<JournalEvent> events;
            try {
                events = Journal.read(dir.resolve(Journal.FILE));
            } catch (IOException | RuntimeException e) {
                continue; // unreadable: not ours to judge
            }
            boolean ours = !events.isEmpty() && events.get(0).event().equals("run.started")
                    && runbookName.equals(events.get(0).str("runbook"));
            boolean finished = events.stream().anyMatch(e -> e.event().equals("run.finished"));
            if (!ours || !finished) {
                continue;
            }
            if (++kept > keep) {
                delete(dir);
                deleted++;
            }
        }
        return deleted;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
