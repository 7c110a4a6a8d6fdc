package io.drctl.dbms;

import java.time.Duration;
import java.util.Optional;

/**
 * One replica as its primary sees it ({@code pg_stat_replication}).
 *
 * @param applicationName the standby's {@code application_name} (default {@code walreceiver})
 * @param clientAddr      its address, or {@code local} for a Unix socket
 * @param state           {@code streaming}, {@code catchup}, ...
 * @param syncState       {@code async}, {@code sync}, ...
 * @param replayLagBytes  {@code pg_current_wal_lsn() - replay_lsn}
 * @param replayLag       {@code replay_lag} as measured by the primary; empty when idle
 */
public record StandbyStatus(String applicationName, String clientAddr, String state, String syncState,
                            Optional<Long> replayLagBytes, Optional<Duration> replayLag) {
}
