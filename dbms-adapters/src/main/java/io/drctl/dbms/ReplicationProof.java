package io.drctl.dbms;

import java.time.Duration;
import java.util.Objects;

/**
 * Evidence from {@link PostgresRejoiner#proveReplication}: a WAL record written on the upstream was replayed locally.
 *
 * @param markerLsn end of the marker record on the upstream ({@code pg_logical_emit_message})
 * @param replayLsn the local {@code pg_last_wal_replay_lsn()} that reached it
 * @param elapsed   from writing the marker to seeing it replayed (injected clock)
 */
public record ReplicationProof(String markerLsn, String replayLsn, Duration elapsed) {
    public ReplicationProof {
        Objects.requireNonNull(markerLsn, "markerLsn");
        Objects.requireNonNull(replayLsn, "replayLsn");
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
