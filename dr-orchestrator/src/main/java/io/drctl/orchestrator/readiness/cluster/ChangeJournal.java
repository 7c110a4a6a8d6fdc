package io.drctl.orchestrator.readiness.cluster;

import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Redactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The changes of readiness a daemon announced, journaled ({@link EventType#READINESS_CHANGED}) in
 * {@code <state-dir>/readiness/changes/journal.jsonl}: the round, which way, the failing checks, the webhook's outcome.
 */
public final class ChangeJournal {
    /** The subdirectory of the readiness store that holds the journal. */
    public static final String SUBDIR = "changes";

    private final Path dir;
    private final Clock clock;
    private final Redactor redactor;

    /** @param readinessDir {@code <state-dir>/readiness} */
    public ChangeJournal(Path readinessDir, Clock clock, Redactor redactor) {
        this.dir = readinessDir.resolve(SUBDIR);
        this.clock = clock;
        this.redactor = redactor;
    }

    /** Appends one change; a failure to write is logged, never thrown. */
    synchronized void write(ResultStore.Change c, String delivery, Consumer<String> log) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("round", c.fireTime().toString());
        data.put("ready", c.ready());
        data.put("at", c.at().toString());
        data.put("failing", c.failing());
        data.put("instance", c.instance());
        data.put("delivery", delivery);
        try {
            Files.createDirectories(dir);
            try (Journal j = Journal.open(dir, clock, redactor)) {
                j.append(EventType.READINESS_CHANGED, data);
            }
        } catch (IOException | RuntimeException e) {
            log.accept("drctl daemon: could not journal the change in " + dir + ": " + e.getMessage());
        }
    }
}
