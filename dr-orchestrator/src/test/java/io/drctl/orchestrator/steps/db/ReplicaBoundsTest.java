package io.drctl.orchestrator.steps.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.dbms.PgProbe;
import io.drctl.dbms.PgRole;
import io.drctl.dbms.ReplicaStatus;
import io.drctl.dbms.StandbyStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How db.replica judges what PostgreSQL reported (the probe itself is proven against the lab). */
class ReplicaBoundsTest {
    static final DbReplicaStepType.Bounds REPLICA_30S_1MB =
            new DbReplicaStepType.Bounds(false, Optional.of(Duration.ofSeconds(30)), Optional.of(1_048_576L));

    static PgProbe replica(String receiver, long gap, Duration delay) {
        return new PgProbe("region2/dbms", PgRole.REPLICA, 150014, Optional.of(new ReplicaStatus(Optional.of("0/3000060"),
                Optional.of("0/3000000"), Optional.of(gap), Optional.of(delay), Optional.ofNullable(receiver))), List.of());
    }

    static PgProbe primary() {
        return new PgProbe("region1/dbms", PgRole.PRIMARY, 150014, Optional.empty(), List.of(new StandbyStatus("walreceiver",
                "10.77.2.30", "streaming", "async", Optional.of(0L), Optional.empty())));
    }

    @Test
    void judge_streamingReplicaCaughtUpWhilePrimaryIdleForAnHour_passes() {
        assertEquals(Optional.empty(), REPLICA_30S_1MB.judge(replica("streaming", 0, Duration.ofHours(1))));
    }

    @Test
    void judge_replayGapOverBytes_failsNamingGapAndBound() {
        Optional<String> w = REPLICA_30S_1MB.judge(replica("streaming", 2_000_000, Duration.ofSeconds(1)));
        assertEquals(Optional.of("replay gap 2000000 bytes > 1048576"), w);
    }

    @Test
    void judge_waitingWalOlderThanMaxLag_failsNamingLag() {
        Optional<String> w = REPLICA_30S_1MB.judge(replica("streaming", 100, Duration.ofSeconds(90)));
        assertTrue(w.orElseThrow().startsWith("lag 1m30s > 30.0 s"), w.toString());
    }

    @Test
    void judge_noWalReceiver_failsNotStreaming() {
        assertEquals(Optional.of("not streaming (WAL receiver absent)"), REPLICA_30S_1MB.judge(replica(null, 0, Duration.ZERO)));
        assertEquals(Optional.of("not streaming (WAL receiver stopping)"),
                REPLICA_30S_1MB.judge(replica("stopping", 0, Duration.ZERO)));
    }

    @Test
    void judge_primaryWhenReplicaExpected_fails() {
        assertEquals(Optional.of("a primary (not in recovery)"), REPLICA_30S_1MB.judge(primary()));
    }

    @Test
    void judge_expectPrimary_passesOnPrimaryFailsOnReplica() {
        DbReplicaStepType.Bounds p = new DbReplicaStepType.Bounds(true, Optional.empty(), Optional.empty());
        assertEquals(Optional.empty(), p.judge(primary()));
        assertEquals(Optional.of("in recovery (a replica)"), p.judge(replica("streaming", 0, Duration.ZERO)));
        assertEquals("primary (1 standby(s) attached)", DbReplicaStepType.describe(primary()));
    }
}
