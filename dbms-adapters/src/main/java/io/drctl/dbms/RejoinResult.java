package io.drctl.dbms;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@link PostgresRejoiner#rejoin} did.
 *
 * @param instance   the local instance's name
 * @param method     nothing (already streaming), pg_rewind, or pg_basebackup
 * @param before     check before acting
 * @param after      check after acting: always {@link StreamingCheck#streamingFromUpstream()}
 * @param oldDataDir where the previous data directory was moved ({@code <dataDir>.drctl-old-<UTC timestamp>}) by
 *                   a pg_basebackup; empty for the other methods or when there was none. drctl never deletes it
 * @param notes      decisions worth telling the operator, e.g. why pg_rewind was not used
 * @param elapsed    time from the first check to streaming (injected clock)
 */
public record RejoinResult(String instance, RejoinMethod method, StreamingCheck before, StreamingCheck after,
                           Optional<Path> oldDataDir, List<String> notes, Duration elapsed) {
    public RejoinResult {
        notes = List.copyOf(notes);
    }

    public boolean changed() {
        return method != RejoinMethod.NONE;
    }
}
