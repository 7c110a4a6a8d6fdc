package io.drctl.dbms;

import java.time.Duration;
import java.util.Optional;

/**
 * Replication state seen on a replica.
 *
 * @param receiveLsn         last WAL position received from the primary ({@code pg_last_wal_receive_lsn()})
 * @param replayLsn          last WAL position replayed ({@code pg_last_wal_replay_lsn()})
 * @param receiveReplayBytes bytes received but not replayed yet
 * @param replayDelay        {@code now() - pg_last_xact_replay_timestamp()}: age of the last replayed
 *                           transaction. Grows while the primary is idle, so it is an upper bound on data lag,
 *                           not the lag itself; empty before the first replayed transaction
 * @param walReceiver        {@code pg_stat_wal_receiver.status} ({@code streaming}, ...); empty = no WAL
 *                           receiver (the primary is unreachable, or WAL comes from an archive)
 */
public record ReplicaStatus(Optional<String> receiveLsn, Optional<String> replayLsn, Optional<Long> receiveReplayBytes,
                            Optional<Duration> replayDelay, Optional<String> walReceiver) {
    /** True when a WAL receiver is connected and streaming. */
    public boolean isStreaming() {
        return walReceiver.filter("streaming"::equals).isPresent();
    }
}
