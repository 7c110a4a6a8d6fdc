package io.drctl.dbms;

import java.time.Duration;
import java.util.Objects;

/**
 * How far {@link PostgresRejoiner#rejoin} may go and how long it waits.
 *
 * @param streamTimeout          after the start: how long the server may take to stream from the upstream
 * @param transferTimeout        limit for one pg_rewind or pg_basebackup run (large clusters take hours)
 * @param allowBasebackup        whether a full re-seed with pg_basebackup is allowed when pg_rewind is impossible or
 *                               fails (the old data directory is always kept aside, never deleted)
 * @param allowUnrelatedUpstream whether an upstream with a different database system identifier may re-seed the
 *                               local server (by pg_basebackup); off, such an upstream is refused as a probable
 *                               configuration mistake
 * @param allowStandbyUpstream   whether the upstream may itself be in recovery (cascading). Off by default: rewinding
 *                               the old primary onto a server that was not promoted yet would discard the old
 *                               primary's latest writes
 * @param restoreTargetWal       pass {@code --restore-target-wal} to pg_rewind: it fetches local WAL it needs but no
 *                               longer has in {@code pg_wal} with the cluster's {@code restore_command}
 */
public record RejoinOptions(Duration streamTimeout, Duration transferTimeout, boolean allowBasebackup,
                            boolean allowUnrelatedUpstream, boolean allowStandbyUpstream, boolean restoreTargetWal) {

    public RejoinOptions {
        positive("streamTimeout", streamTimeout);
        positive("transferTimeout", transferTimeout);
    }

    /** 2 min to stream, 6 h per transfer, basebackup allowed, related primary upstream only, WAL from pg_wal only. */
    public static RejoinOptions defaults() {
        return new RejoinOptions(Duration.ofMinutes(2), Duration.ofHours(6), true, false, false, false);
    }

    public RejoinOptions withStreamTimeout(Duration d) {
        return new RejoinOptions(d, transferTimeout, allowBasebackup, allowUnrelatedUpstream,
                allowStandbyUpstream, restoreTargetWal);
    }

    public RejoinOptions withAllowBasebackup(boolean b) {
        return new RejoinOptions(streamTimeout, transferTimeout, b, allowUnrelatedUpstream,
                allowStandbyUpstream, restoreTargetWal);
    }

    public RejoinOptions withAllowUnrelatedUpstream(boolean b) {
        return new RejoinOptions(streamTimeout, transferTimeout, allowBasebackup, b, allowStandbyUpstream,
                restoreTargetWal);
    }

    private static void positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }
}
